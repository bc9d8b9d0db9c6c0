"""Manage Twizzit connections from the command line.

    twizzit_config add --org ORG --name NAME [--url URL] --username USER --password-stdin
                       [--policy POLICY] [--frequency F]
    twizzit_config change --org ORG [--name NAME] [--url URL] [--username USER]
                          [--password-stdin]   (a new URL or username needs the password)
    twizzit_config list [--json]
    twizzit_config remove --org ORG
    twizzit_config test --org ORG

Bad input prints one line saying what is wrong and exits with code 2, writing nothing.
No subcommand ever prints a secret.
"""

import json
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from twizzit.connections import create_connection, delete_connection, update_connection
from twizzit.models import DEFAULT_API_BASE_URL, ConflictPolicy, SyncFrequency, TwizzitConfig
from twizzit.sync.runs import SyncInProgress

USAGE_ERROR = 2


def usage_error(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE_ERROR)


def parse_org(raw: str) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise usage_error(f"--org must be a Twizzit organisation number, not {raw!r}.") from None
    if value <= 0:
        raise usage_error(f"--org must be a positive number, not {raw!r}.")
    return value


def get_config(raw_org: str) -> TwizzitConfig:
    org = parse_org(raw_org)
    try:
        return TwizzitConfig.objects.get(organization_id=org)
    except TwizzitConfig.DoesNotExist:
        raise usage_error(f"No Twizzit connection for organisation {org}.") from None


def describe(config: TwizzitConfig) -> dict:
    """What `list` shows of a connection: everything but the secrets."""
    return {
        "organization_id": config.organization_id,
        "organization_name": config.organization_name,
        "api_base_url": config.api_base_url,
        "api_username": config.api_username,
        "password_set": config.has_password,
        "sync_enabled": config.sync_enabled,
        "auto_sync_frequency": config.auto_sync_frequency,
        "conflict_policy": config.conflict_policy,
        "season_scope": config.season_scope,
        "monthly_call_limit": config.monthly_call_limit,
        "last_sync_at": config.last_sync_at.isoformat() if config.last_sync_at else None,
    }


class Command(BaseCommand):
    help = "Add, list, remove and test Twizzit connections."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Register a connection.")
        add.add_argument("--org", required=True)
        add.add_argument("--name", required=True)
        add.add_argument("--url", default=DEFAULT_API_BASE_URL)
        add.add_argument("--username", required=True)
        add.add_argument(
            "--password-stdin", action="store_true", help="Read the password from stdin."
        )
        add.add_argument("--policy", default=ConflictPolicy.MANUAL.value)
        add.add_argument("--frequency", default=SyncFrequency.DAILY.value)
        change = sub.add_parser(
            "change", help="Change a connection; a new URL or username needs the password."
        )
        change.add_argument("--org", required=True)
        change.add_argument("--name")
        change.add_argument("--url")
        change.add_argument("--username")
        change.add_argument(
            "--password-stdin", action="store_true", help="Read a new password from stdin."
        )
        listing = sub.add_parser("list", help="List connections (never a secret).")
        listing.add_argument("--json", action="store_true")
        remove = sub.add_parser("remove", help="Remove a connection and its mappings.")
        remove.add_argument("--org", required=True)
        test = sub.add_parser("test", help="Check the credentials and what they may read.")
        test.add_argument("--org", required=True)

    def handle(self, *args, **options):
        getattr(self, f"handle_{options['action']}")(options)

    def handle_add(self, options):
        org = parse_org(options["org"])
        if options["policy"] not in ConflictPolicy.values:
            raise usage_error(
                f"Unknown policy {options['policy']!r}; use one of: "
                + ", ".join(ConflictPolicy.values)
            )
        if options["frequency"] not in SyncFrequency.values:
            raise usage_error(
                f"Unknown frequency {options['frequency']!r}; use one of: "
                + ", ".join(SyncFrequency.values)
            )
        if TwizzitConfig.objects.filter(organization_id=org).exists():
            raise usage_error(f"Organisation {org} is already configured.")
        if not options["password_stdin"]:
            raise usage_error("Give the password on standard input with --password-stdin.")
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise usage_error("No password was read from standard input.")
        try:
            config = create_connection(
                password=password,
                organization_id=org,
                organization_name=options["name"],
                api_base_url=options["url"],
                api_username=options["username"],
                conflict_policy=options["policy"],
                auto_sync_frequency=options["frequency"],
            )
        except ValidationError as exc:
            raise usage_error(" ".join(_messages(exc))) from None
        self.stdout.write(f"Added connection {config.organization_name} ({org}).")

    def handle_change(self, options):
        config = get_config(options["org"])
        fields = {
            name: options[option]
            for name, option in (
                ("organization_name", "name"),
                ("api_base_url", "url"),
                ("api_username", "username"),
            )
            if options[option] is not None
        }
        password = None
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise usage_error("No password was read from standard input.")
        try:
            update_connection(config, password=password, **fields)
        except ValidationError as exc:
            raise usage_error(" ".join(_messages(exc))) from None
        self.stdout.write(
            f"Changed connection {config.organization_name} ({config.organization_id})."
        )

    def handle_list(self, options):
        rows = [describe(config) for config in TwizzitConfig.objects.all()]
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not rows:
            self.stdout.write("No Twizzit connections.")
            return
        for row in rows:
            self.stdout.write(
                f"{row['organization_id']:>8}  {row['organization_name']:<30} "
                f"{row['api_base_url']:<32} {row['auto_sync_frequency']:<8} "
                f"{row['conflict_policy']}"
            )

    def handle_remove(self, options):
        try:
            removed = delete_connection(get_config(options["org"]))
        except SyncInProgress as exc:
            raise usage_error(f"{exc} Cancel it or wait, then remove the connection.") from None
        self.stdout.write(
            f"Removed connection {removed.organization_id} and "
            f"{removed.total_mappings} mappings; ShotSpot's players and teams stay."
        )

    def handle_test(self, options):
        from twizzit.verify import print_report, verify_config

        report = verify_config(get_config(options["org"]))
        print_report(report, self.stdout)
        if not report.ok:
            raise CommandError(report.summary, returncode=1)


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [f"{field}: {msg}" for field, msgs in exc.message_dict.items() for msg in msgs]
    return list(exc.messages)
