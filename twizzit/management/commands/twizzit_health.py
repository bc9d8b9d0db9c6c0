"""The checks of `/health/` from the command line, for a probe or a cron job.

    twizzit_health [--check workers --check janitor ...] [--json]

Prints one line ("ok: ..." or "failing: workers (...)"), or with --json the document
`/health/` answers; exit code 0 when every check holds, 1 otherwise. compose.yaml's worker
health check runs `twizzit_health --check workers`.
"""

import json

from django.core.management.base import BaseCommand

from twizzit.services.health import CHECK_NAMES, health


class Command(BaseCommand):
    help = "Check the database, the broker, the workers, the janitor and the schedules."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="append", choices=CHECK_NAMES, help="Only this check (repeatable)."
        )
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args, **options):
        report = health(only=tuple(options["check"] or CHECK_NAMES))
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            self.stdout.write(report.summary())
        if not report.ok:
            raise SystemExit(1)
