"""Show where one Twizzit connection stands.

    twizzit_status --org ORG [--json]

The run in progress with its progress, the last five runs, pending conflicts, the
Twizzit calls spent this month against the limit, and the next scheduled run. With
--json it prints the REST API's status document; without, the same in words, times in
SCHEDULER_TIMEZONE. Exit code 2 for an unknown organisation.
"""

import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from twizzit.api.serializers import ConnectionStatusSerializer
from twizzit.connection.schedules import scheduler_zone
from twizzit.management.commands.twizzit_config import get_config
from twizzit.services.status import ConnectionStatus, connection_status


class Command(BaseCommand):
    help = "Show a connection's running sync, recent runs, conflicts, quota and next run."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Twizzit organisation id.")
        parser.add_argument("--json", action="store_true", help="Print the status as JSON.")

    def handle(self, *args, **options):
        status = connection_status(get_config(options["org"]))
        if options["json"]:
            # The REST API's shape: one description of the status for both.
            self.stdout.write(json.dumps(ConnectionStatusSerializer(status).data, indent=2))
            return
        self.show(status)

    def show(self, status: ConnectionStatus) -> None:
        config = status.config
        automatic = config.auto_sync_frequency if config.sync_enabled else "off"
        self.stdout.write(
            f"{config.organization_name} ({config.organization_id}), automatic sync: {automatic}"
        )
        running = status.running
        if running is None:
            self.stdout.write("Running: nothing")
        else:
            progress = running.progress or {}
            processed = progress.get("processed", {})
            counts = ", ".join(f"{entity} {n}" for entity, n in processed.items() if n)
            phase = progress.get("phase", "waiting for a worker")
            since = local(running.started_at) or "not started yet"
            kind = "preview (dry run)" if running.dry_run else "sync"
            age = running.heartbeat_age
            heartbeat = f"; last heartbeat {round(age)} s ago" if age is not None else ""
            self.stdout.write(
                f"Running: {kind} #{running.pk} ({running.sync_type}), "
                f"{running.shown_status} since {since}; phase {phase}; records so far: "
                f"{counts or 'none'}; {running.api_calls} API calls{heartbeat}"
            )
            if running.is_stale:
                self.stdout.write(
                    "          Stale: its process seems to have stopped; the next sync of "
                    "this connection marks it interrupted and runs."
                )
        self.stdout.write("Recent runs:" if status.recent else "Recent runs: none yet")
        for run in status.recent:
            seconds = f"{run.duration_ms / 1000:.1f} s" if run.duration_ms is not None else ""
            kind = "preview" if run.dry_run else ""
            self.stdout.write(
                f"  #{run.pk:<6} {run.status:<10}{run.sync_type:<9}{kind:<8}"
                f"{local(run.completed_at) or '':<18}{seconds:>9}  {changes(run.stats or {})}"
            )
            if run.message:
                self.stdout.write(f"          {run.message}")
        self.stdout.write(f"Pending conflicts: {status.pending_conflicts}")
        self.stdout.write(f"Players with a Twizzit value refused: {status.refused_players}")
        usage = status.usage
        self.stdout.write(
            f"Twizzit calls in {usage.month:%Y-%m}: {usage.calls} of {usage.limit} calls "
            f"({usage.remaining} left)"
        )
        if usage.possibly_spent:
            self.stdout.write(
                f"  Twizzit rate-limited this connection without saying for how long on "
                f"{local(usage.rate_limited_at)}: its quota may already be spent."
            )
        next_run = local(status.next_scheduled_run)
        self.stdout.write(
            f"Next scheduled run: {next_run} {scheduler_zone().key}"
            if next_run
            else "Next scheduled run: none (syncs only on request)"
        )


def changes(stats: dict) -> str:
    """What a run changed, e.g. "players: 300 created, 1 conflict; teams: 24 created"."""
    parts = []
    for entity, counts in stats.items():
        done = [
            f"{counts[name]} {name if counts[name] != 1 else name.rstrip('s')}"
            for name in ("created", "updated", "removed", "conflicts", "errors")
            if counts.get(name)
        ]
        if done:
            parts.append(f"{entity}: {', '.join(done)}")
    return "; ".join(parts) or "no changes"


def local(moment) -> str | None:
    """A moment as a person reads it, in the scheduler's time zone."""
    if moment is None:
        return None
    return f"{timezone.localtime(moment, scheduler_zone()):%Y-%m-%d %H:%M}"
