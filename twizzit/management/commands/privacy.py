"""A member's personal data under the GDPR, from the command line.

    privacy erase --player ID [--yes]      erase a player and every copy of their data
    privacy export --player ID [--output FILE]   everything held about them, as JSON
    privacy prune [--dry-run]              apply the retention rules now
    privacy lift --org ORG --contact ID    let the next sync import an erased contact again

`erase` lists what will go and asks for "erase" to be typed (or `--yes`); without a
terminal and without `--yes` it changes nothing. The rules live in
`twizzit.services.privacy`, which the admin, the REST API and the janitor call too.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from shotspot.models import Player
from twizzit.management.commands.twizzit_config import get_config
from twizzit.models import ErasedContact
from twizzit.services.privacy import erasure, export, retention


class Command(BaseCommand):
    help = "Erase or export a person's data (GDPR), prune old data, lift an erasure."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        erase = commands.add_parser("erase", help="Erase a player and every copy of their data.")
        erase.add_argument("--player", type=int, required=True, help="The player's id.")
        erase.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        dump = commands.add_parser("export", help="Everything held about a player, as JSON.")
        dump.add_argument("--player", type=int, required=True, help="The player's id.")
        dump.add_argument("--output", help="Write to this file instead of standard output.")
        prune = commands.add_parser("prune", help="Apply the retention rules now.")
        prune.add_argument("--dry-run", action="store_true", help="Count, remove nothing.")
        lift = commands.add_parser("lift", help="Import an erased contact again.")
        lift.add_argument("--org", required=True, help="Twizzit organisation id.")
        lift.add_argument("--contact", type=int, required=True, help="Twizzit contact id.")

    def handle(self, *args, **options):
        getattr(self, options["action"])(options)

    @staticmethod
    def player(pk: int) -> Player:
        player = Player.objects.filter(pk=pk).first()
        if player is None:
            raise CommandError(f"No player with id {pk}.")
        return player

    def erase(self, options) -> None:
        player = self.player(options["player"])
        plan = erasure.plan_erasure(player)
        self.stdout.write(f"Erasing player {player.pk} removes:")
        for line in plan.lines():
            self.stdout.write(f"  - {line}")
        self.stdout.write(
            "Remove the member in Twizzit too: until then syncs skip the contact and count it."
        )
        if not options["yes"]:
            if not sys.stdin.isatty():
                raise CommandError("Nothing erased: confirm with --yes.")
            if input('Type "erase" to confirm: ').strip() != "erase":
                raise CommandError("Nothing erased.")
        try:
            result = erasure.erase_player(player)
        except erasure.ErasureRefused as exc:
            raise CommandError(f"Nothing erased: {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"Erased player {options['player']}."))
        for organisation, contact_id in result.suppressed:
            self.stdout.write(
                f"Twizzit contact {contact_id} of {organisation} will not be imported again "
                f"(lift with: privacy lift --org … --contact {contact_id})."
            )

    def export(self, options) -> None:
        document = json.dumps(
            export.export_player(self.player(options["player"])), indent=2, ensure_ascii=False
        )
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as out:
                out.write(document + "\n")
            self.stdout.write(f"Written to {options['output']}.")
        else:
            self.stdout.write(document)

    def prune(self, options) -> None:
        for rule in retention.rules():
            self.stdout.write(f"{rule.what}: kept {rule.kept} ({rule.setting})")
        report = retention.prune(dry_run=options["dry_run"])
        for line in report.lines():
            self.stdout.write(line)

    def lift(self, options) -> None:
        config = get_config(options["org"])
        rows = ErasedContact.objects.filter(config=config, twizzit_contact_id=options["contact"])
        if not erasure.lift_suppression(list(rows)):
            raise CommandError(
                f"Contact {options['contact']} of {config.organization_name} is not erased."
            )
        self.stdout.write(
            f"Contact {options['contact']} of {config.organization_name} is imported again "
            "at the next sync."
        )
