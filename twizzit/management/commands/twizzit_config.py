"""Manage Twizzit connections from the command line.

    twizzit_config add --org ORG --name NAME [--url URL] --username USER --password-stdin
                       [--policy POLICY] [--frequency F] [--notify a@x.be,b@y.be]
    twizzit_config update --org ORG [--name NAME] [--url URL] [--username USER]
                       (a new URL or username needs the password again)
                       [--password-stdin] [--policy POLICY] [--frequency F]
                       [--notify a@x.be,b@y.be | --notify ""] [--notify-kinds KINDS]
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

from twizzit.models import DEFAULT_API_BASE_URL, ConflictPolicy, SyncFrequency, TwizzitConfig
from twizzit.services.connections import create_connection, delete_connection, update_connection
from twizzit.sync.runs import SyncInProgress

USAGE_ERROR = 2
# --notify-kinds names → the connection's switches (twizzit.notify).
NOTIFY_KINDS = {
    "failed": "notify_failed_runs",
    "stale": "notify_stale_runs",
    "conflicts": "notify_conflicts",
    "quota": "notify_quota",
    "recovered": "notify_recovered",
}


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
        "notify_emails": [a for a in config.notify_emails.split(", ") if a],
        "notify_kinds": [kind for kind, field in NOTIFY_KINDS.items() if getattr(config, field)],
        "last_sync_at": config.last_sync_at.isoformat() if config.last_sync_at else None,
    }


def parse_notify_kinds(raw: str) -> dict[str, bool]:
    """ "failed,quota" → those switches on and the others off; "all" or "none" too."""
    names = {name.strip().lower() for name in raw.split(",") if name.strip()}
    if names == {"all"}:
        names = set(NOTIFY_KINDS)
    elif names == {"none"}:
        names = set()
    unknown = names - set(NOTIFY_KINDS)
    if unknown:
        raise usage_error(
            f"Unknown notification kind(s) {', '.join(sorted(unknown))}; use any of: "
            + ", ".join(NOTIFY_KINDS)
            + ", or all, or none."
        )
    return {field: kind in names for kind, field in NOTIFY_KINDS.items()}


def check_choice(value: str | None, choices, option: str) -> None:
    if value is not None and value not in choices.values:
        raise usage_error(f"Unknown {option} {value!r}; use one of: " + ", ".join(choices.values))


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
        add.add_argument(
            "--notify",
            default="",
            help="Comma-separated e-mail addresses told about trouble (default: superusers).",
        )
        update = sub.add_parser("update", help="Change a connection; only given options change.")
        update.add_argument("--org", required=True)
        update.add_argument("--name")
        update.add_argument("--url")
        update.add_argument("--username")
        update.add_argument(
            "--password-stdin", action="store_true", help="Read a new password from stdin."
        )
        update.add_argument("--policy")
        update.add_argument("--frequency")
        update.add_argument(
            "--notify", help='Comma-separated e-mail addresses; "" for the superusers.'
        )
        update.add_argument(
            "--notify-kinds",
            help="Which mails are sent: any of " + ",".join(NOTIFY_KINDS) + ", or all, or none.",
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
                notify_emails=options["notify"],
            )
        except ValidationError as exc:
            raise usage_error(" ".join(_messages(exc))) from None
        self.stdout.write(f"Added connection {config.organization_name} ({org}).")

    def handle_update(self, options):
        config = get_config(options["org"])
        check_choice(options["policy"], ConflictPolicy, "policy")
        check_choice(options["frequency"], SyncFrequency, "frequency")
        given = {
            "organization_name": options["name"],
            "api_base_url": options["url"],
            "api_username": options["username"],
            "conflict_policy": options["policy"],
            "auto_sync_frequency": options["frequency"],
            "notify_emails": options["notify"],
        }
        fields = {name: value for name, value in given.items() if value is not None}
        if options["notify_kinds"] is not None:
            fields.update(parse_notify_kinds(options["notify_kinds"]))
        password = None
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise usage_error("No password was read from standard input.")
        if not fields and password is None:
            raise usage_error("Nothing to change: give at least one option to update.")
        try:
            update_connection(config, password=password, **fields)
        except ValidationError as exc:
            raise usage_error(" ".join(_messages(exc))) from None
        self.stdout.write(
            f"Updated connection {config.organization_name} ({config.organization_id}): "
            + ", ".join(sorted({*fields, *(["password"] if password else [])}))
            + "."
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
        from twizzit.services.verify import print_report, verify_config

        report = verify_config(get_config(options["org"]))
        print_report(report, self.stdout)
        if not report.ok:
            raise CommandError(report.summary, returncode=1)


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [f"{field}: {msg}" for field, msgs in exc.message_dict.items() for msg in msgs]
    return list(exc.messages)
