"""Where a connection stands: what runs now, how the last runs went, what is due next.

`connection_status(config)` is the one picture that the cockpit, `twizzit_status` and the
REST API share: the run in progress (a run waiting for a worker shows up here too, with
status "pending"; a running one whose heartbeat stopped longer ago than the lease reads
"stale" through `SyncLog.shown_status`), the last finished runs (a dry run is a preview
that wrote nothing), how many conflicts wait for a person, the Twizzit calls spent this
month against the limit, how many players hold a Twizzit value ShotSpot refused (an
invalid e-mail, an impossible date: `Mapping.refused`), and when the connection's
schedule fires next.

It returns typed values — `SyncLog` rows, a `MonthUsage`, real datetimes — and leaves the
formatting to the edges: the admin's templates, the REST serializer
(`ConnectionStatusSerializer`, which `twizzit_status --json` prints too) and the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from twizzit.connection.schedules import next_run_of
from twizzit.models import ACTIVE_STATUSES, PlayerMapping, Resolution, SyncLog, TwizzitConfig
from twizzit.models.usage import MonthUsage, month_usage
from twizzit.sync.runs import active_run

RECENT_RUNS = 5


@dataclass(frozen=True)
class ConnectionStatus:
    """One connection's picture at one moment."""

    config: TwizzitConfig
    running: SyncLog | None
    recent: list[SyncLog]
    pending_conflicts: int
    refused_players: int  # players whose Twizzit record holds a value ShotSpot refused
    usage: MonthUsage
    next_scheduled_run: datetime | None

    @property
    def last_sync(self) -> SyncLog | None:
        """The newest finished run, or None before the first one."""
        return self.recent[0] if self.recent else None


def connection_status(config: TwizzitConfig) -> ConnectionStatus:
    """The status of one connection (a handful of queries, whatever its history)."""
    running = active_run(config)
    finished = list(
        config.sync_logs.exclude(status__in=ACTIVE_STATUSES).order_by("-created_at", "-id")[
            :RECENT_RUNS
        ]
    )
    for log in [running, *finished]:
        if log is not None:
            log.config = config  # the run's pages read its connection: no query each
    return ConnectionStatus(
        config=config,
        running=running,
        recent=finished,
        pending_conflicts=config.conflicts.filter(resolution=Resolution.PENDING).count(),
        refused_players=refused_players(config),
        usage=month_usage(config),
        next_scheduled_run=next_run_of(config),
    )


def refused_players(config: TwizzitConfig) -> int:
    """Players whose last synced Twizzit record held a value ShotSpot's rules refused."""
    return (
        PlayerMapping.objects.filter(config=config, player__isnull=False)
        .exclude(refused={})
        .count()
    )
