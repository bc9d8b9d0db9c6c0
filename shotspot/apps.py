from django.apps import AppConfig


class ShotspotConfig(AppConfig):
    name = "shotspot"
    verbose_name = "ShotSpot"
