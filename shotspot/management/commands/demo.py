"""`make run`: set up the database and serve the project on the embedded defaults."""

import os
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

DEMO_USER = "admin"
DEMO_PASSWORD = "shotspot-demo"  # noqa: S105 (the debug-only demo login, printed on purpose)


class Command(BaseCommand):
    help = "Migrate, create the demo admin (debug only) and serve on http://127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if settings.DEBUG:
            self.ensure_demo_user()
        self.stdout.write(f"Serving http://{options['addr']}/admin/ — Ctrl-C stops it.")
        os.execv(  # noqa: S606 (replace this process with the dev server)
            sys.executable,
            [sys.executable, "manage.py", "runserver", options["addr"], "--noreload"],
        )

    def ensure_demo_user(self):
        users = get_user_model().objects
        if not users.filter(username=DEMO_USER).exists():
            users.create_superuser(DEMO_USER, "admin@example.com", DEMO_PASSWORD)
        self.stdout.write(
            f"Demo admin (debug only): user {DEMO_USER!r}, password {DEMO_PASSWORD!r}"
        )
