from django.apps import AppConfig


class TwizzitConfigApp(AppConfig):
    name = "twizzit"
    verbose_name = "Twizzit integration"

    def ready(self):
        from twizzit import signals  # noqa: F401  (connects the receivers)
