"""Give people a role on a club's connection, take it away, list who holds what.

    twizzit_access grant  --user NAME --org ORG --role admin|coach
    twizzit_access revoke --user NAME --org ORG
    twizzit_access list   [--org ORG]

A club admin of a connection sees that club's rows and may change them; a coach reads,
syncs and cancels. Federation admins (superusers, the `twizzit-admin` group) and the
global `coach` group need no role here: they reach every club. Exit code 2 for an unknown
user, organisation or role. The rules are `twizzit.services.access`'s.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from twizzit.management.commands.twizzit_config import get_config, usage_error
from twizzit.models import ConnectionAccess, ConnectionRole
from twizzit.services.access import grant, revoke


class Command(BaseCommand):
    help = "Grant, revoke or list club roles (club admin, coach) per Twizzit connection."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        given = commands.add_parser("grant", help="Give a user a role on a connection.")
        given.add_argument("--user", required=True, help="Username.")
        given.add_argument("--org", required=True, help="Twizzit organisation id.")
        given.add_argument("--role", required=True, choices=ConnectionRole.values)
        taken = commands.add_parser("revoke", help="Take a user's role on a connection away.")
        taken.add_argument("--user", required=True, help="Username.")
        taken.add_argument("--org", required=True, help="Twizzit organisation id.")
        listed = commands.add_parser("list", help="Who holds which role.")
        listed.add_argument("--org", help="Only this organisation.")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "list":
            rows = ConnectionAccess.objects.select_related("user", "config").order_by(
                "config__organization_name", "user__username"
            )
            if options.get("org"):
                rows = rows.filter(config=get_config(options["org"]))
            for row in rows:
                self.stdout.write(
                    f"{row.config.organization_id}\t{row.config.organization_name}\t"
                    f"{row.user.username}\t{row.get_role_display()}"
                )
            if not rows:
                self.stdout.write("No club roles.")
            return
        config = get_config(options["org"])
        user = self.user(options["user"])
        if action == "grant":
            access = grant(user, config, options["role"])
            self.stdout.write(f"{user.username} is now {access.get_role_display()} of {config}.")
        elif revoke(user, config):
            self.stdout.write(f"{user.username} no longer has a role on {config}.")
        else:
            self.stdout.write(f"{user.username} had no role on {config}.")

    @staticmethod
    def user(username: str):
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise usage_error(f"No user named {username!r}.") from None
