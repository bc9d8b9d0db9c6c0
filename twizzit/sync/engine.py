"""The sync run: claim the connection, run the phases, log everything, release.

A run goes through seasons, teams, players, rosters and games (a full sync), or a subset:
teams need seasons first; rosters and games alone use the seasons and teams already
synced. Each phase streams pages
from the client and hands them to its importer; between pages a *checkpoint* renews the
run's lease, writes progress onto the SyncLog and honours a cancellation request.

What can go wrong, and what it does:
- a record that cannot be mapped: an error entry; the run goes on and ends *partial*;
- a page that still fails after the client's retries: that phase stops, what it wrote
  stays, deletions are not judged, the next phase runs; the run ends *partial*;
- credentials refused, no access, the monthly quota spent, rate-limited past waiting
  (a 429 without Retry-After also marks the month's quota as possibly spent), a secret
  that will not decrypt: nothing more can work, so the run stops at once and ends
  *failed*, with the reason in words and no further calls;
- anything else, the database going away included: *failed*, with a one-line reason;
- cancelled on request: *cancelled*, with the work done so far kept.

The SyncLog is created before any work and finished in `finally`, whatever happened: on
a fresh database connection when the run's own connection died. While the run lives, a
heartbeat thread keeps its lease (`liveness.py`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from twizzit.client import (
    TwizzitAuthError,
    TwizzitConfigError,
    TwizzitError,
    TwizzitPermissionError,
    TwizzitQuotaError,
    TwizzitRateLimitError,
)
from twizzit.connection.gateway import client_for
from twizzit.connection.meter import mark_rate_limited
from twizzit.crypto import SecretDecryptionError
from twizzit.mappers import groups, rosters
from twizzit.mappers.base import MappingError
from twizzit.models import (
    SeasonMapping,
    SeasonScope,
    SyncLog,
    SyncStatus,
    SyncTrigger,
    SyncType,
    TwizzitConfig,
)
from twizzit.notify import events as notify_events
from twizzit.sync import games, runs, selected
from twizzit.sync.entities import PlayerImporter, SeasonImporter, TeamImporter
from twizzit.sync.liveness import Heartbeat
from twizzit.sync.prefetch import prefetch
from twizzit.sync.report import SyncReport
from twizzit.sync.rosters import RosterImporter, followed_teams
from twizzit.sync.statistics import TableStatistics

logger = logging.getLogger(__name__)

# Failures after which no other phase can succeed.
FATAL_ERRORS = (
    TwizzitAuthError,
    TwizzitPermissionError,
    TwizzitQuotaError,
    TwizzitRateLimitError,
    TwizzitConfigError,
    SecretDecryptionError,
)

PHASES = {
    SyncType.FULL: ("seasons", "teams", "players", "rosters", "games"),
    SyncType.TEAMS: ("seasons", "teams"),
    SyncType.PLAYERS: ("players",),
    SyncType.ROSTERS: ("rosters",),
    SyncType.GAMES: ("games",),
}
# Twizzit groups of type 1 are teams; others (board, committees) are not ShotSpot teams.
TEAM_GROUP_TYPE = 1
SCOPE_SWITCHES = {
    "teams": "sync_teams",
    "players": "sync_players",
    "rosters": "sync_rosters",
    "games": "sync_games",
}


@dataclass
class SyncContext:
    """What every phase of one run shares."""

    config: TwizzitConfig
    log: SyncLog
    report: SyncReport
    dry_run: bool
    # Dry runs: Twizzit ids a phase would have mapped, so later phases can count on them.
    planned: dict[str, set[int]] = field(default_factory=dict)
    scope_season_ids: list[int] | None = None  # None: every season
    current_season_id: int | None = None
    # Called inside each page's transaction before writing: raises if the lease is lost.
    hold_claim: Callable[[], None] = lambda: None
    # PostgreSQL's planner statistics, kept up with the tables the run fills.
    statistics: TableStatistics = field(default_factory=TableStatistics)


def run_sync(
    config: TwizzitConfig,
    sync_type: str = SyncType.FULL,
    *,
    dry_run: bool = False,
    trigger: str = SyncTrigger.MANUAL,
    user=None,
    sync_log: SyncLog | None = None,
    on_progress=None,
    selection: dict | None = None,
) -> SyncLog:
    """Run a sync now, in this process, and return its finished SyncLog.

    Raises `SyncInProgress` when the connection already has an active run. With
    `sync_log` (a pending run created by `twizzit.services.jobs.enqueue_sync`) that run is executed.
    A "selected" sync takes `selection` ({"contact_ids": [...], "group_ids": [...]}).
    """
    if sync_log is None:
        sync_log = runs.create_run(
            config,
            sync_type,
            dry_run=dry_run,
            trigger=trigger,
            user=user,
            run_here=True,
            selection=selection,
        )
    if not runs.claim(config, sync_log):
        runs.fail_unstarted(
            sync_log, "Another sync of this connection was running; this one did not start."
        )
        sync_log.refresh_from_db()
        return sync_log
    heartbeat = Heartbeat(config.pk, sync_log.pk).start()
    try:
        config.refresh_from_db()
        SyncEngine(config, sync_log, on_progress=on_progress).run()
    finally:
        heartbeat.stop()
    sync_log.refresh_from_db()
    return sync_log


class SyncEngine:
    """Runs the phases of one claimed SyncLog."""

    def __init__(self, config: TwizzitConfig, log: SyncLog, *, on_progress=None):
        self.config = config
        self.log = log
        self.on_progress = on_progress
        self.report = SyncReport()
        self.ctx = SyncContext(
            config=config,
            log=log,
            report=self.report,
            dry_run=log.dry_run,
            hold_claim=self.hold_claim,
        )
        self.client = None
        self.phase = "starting"
        self.renewed_this_page = False

    # --- the run -------------------------------------------------------------------------
    def run(self) -> None:
        started = time.monotonic()
        status, message = None, ""
        try:
            self.client = client_for(self.config)
            for phase in self.phases():
                self.phase = phase
                self.checkpoint()
                self.run_phase(phase)
            self.checkpoint()
        except runs.SyncCancelled:
            status, message = (
                SyncStatus.CANCELLED,
                "Cancelled on request; the work done so far is kept.",
            )
        except runs.ClaimLost:
            status, message = SyncStatus.FAILED, runs.CLAIM_LOST
        except FATAL_ERRORS as exc:
            status, message = SyncStatus.FAILED, one_line(exc)
            if isinstance(exc, TwizzitRateLimitError) and exc.retry_after is None:
                self.on_fresh_connection(mark_rate_limited, self.config)
        except DatabaseError as exc:
            logger.error("Sync #%s of %s lost its database: %s", self.log.pk, self.config, exc)
            status, message = (
                SyncStatus.FAILED,
                f"The database failed during the {self.phase} phase ({type(exc).__name__}: "
                f"{one_line(exc)}); what earlier pages wrote is kept",
            )
        except Exception as exc:
            logger.exception("Sync #%s of %s crashed", self.log.pk, self.config)
            status, message = (
                SyncStatus.FAILED,
                f"Unexpected error: {type(exc).__name__}: {one_line(exc)}",
            )
        finally:
            status = status or self.outcome()
            self.on_fresh_connection(self.finish, status, message, started)
            self.on_fresh_connection(
                runs.release,
                self.config,
                self.log,
                # A selected run syncs a few records, not the organisation.
                completed=status in (SyncStatus.SUCCESS, SyncStatus.PARTIAL)
                and not self.ctx.dry_run
                and self.log.sync_type != SyncType.SELECTED,
            )
            notify_events.run_finished(self.log)  # never raises; mails go out after commit

    @staticmethod
    def on_fresh_connection(write, *args, **kwargs) -> None:
        """`write`, once more on a new database connection if the run's own one died."""
        try:
            write(*args, **kwargs)
        except DatabaseError:
            if connection.in_atomic_block:
                raise  # a caller's transaction: it must see the failure
            connection.close()
            write(*args, **kwargs)

    def phases(self) -> list[str]:
        if self.log.sync_type == SyncType.SELECTED:
            return selected.phases(self.log.selection)
        phases = PHASES[self.log.sync_type]
        if self.log.sync_type == SyncType.FULL:
            phases = [
                phase
                for phase in phases
                if phase not in SCOPE_SWITCHES or getattr(self.config, SCOPE_SWITCHES[phase])
            ]
        return list(phases)

    def run_phase(self, phase: str) -> None:
        try:
            if self.log.sync_type == SyncType.SELECTED:
                selected.run_phase(self, phase)
            else:
                getattr(self, f"sync_{phase}")()
        except FATAL_ERRORS:
            raise
        except TwizzitError as exc:
            self.report.entity_failed(
                phase,
                f"{phase} stopped: {one_line(exc).rstrip('.')}. What was synced before "
                "stays; nothing was judged deleted.",
            )

    def outcome(self) -> str:
        if self.report.failed_entities and len(self.report.failed_entities) == len(self.phases()):
            return SyncStatus.FAILED
        if self.report.failed_entities or self.report.error_count:
            return SyncStatus.PARTIAL
        return SyncStatus.SUCCESS

    # --- checkpoints and the log -------------------------------------------------------------
    def checkpoint(self) -> None:
        """Between pages: keep the claim, honour cancellation, publish progress."""
        if not self.renewed_this_page:  # a page that wrote renewed it inside its transaction
            self.hold_claim()
        self.renewed_this_page = False
        # One statement publishes progress and tells whether a cancellation was asked.
        published = SyncLog.objects.filter(pk=self.log.pk, cancel_requested=False).update(
            heartbeat_at=timezone.now(),
            progress={"phase": self.phase, "processed": self.report.processed()},
            stats=self.report.stats,
            api_calls=self.calls(),
        )
        if not published:
            raise runs.SyncCancelled
        if self.on_progress is not None:
            self.on_progress(self.phase, self.report)

    def hold_claim(self) -> None:
        if not runs.renew(self.config, self.log):
            raise runs.ClaimLost
        # Counts only once written for good: a page rolled back took its renewal with it.
        transaction.on_commit(self.mark_renewed)

    def mark_renewed(self) -> None:
        self.renewed_this_page = True

    def calls(self) -> int:
        return self.client.calls_made if self.client is not None else 0

    def finish(self, status: str, message: str, started: float) -> None:
        decided = sum(counts["policy_decided"] for counts in self.report.stats.values())
        if decided and not message:
            message = (
                f"The connection's policy ({self.config.get_conflict_policy_display()}) "
                f"settled {decided} disagreements."
            )
        if self.report.failed_entities and not message:
            message = " ".join(self.report.failed_entities.values())
        self.log.status = status
        self.log.message = message
        self.log.stats = self.report.stats
        self.log.errors = self.report.entries
        self.log.planned_changes = self.report.planned_changes
        self.log.progress = {"phase": "done", "processed": self.report.processed()}
        self.log.api_calls = self.calls()
        self.log.completed_at = timezone.now()
        self.log.duration_ms = int((time.monotonic() - started) * 1000)
        if not self.log.dry_run:
            # Judged once, here: the mails and the attention panel read the number.
            self.log.new_problems = len(self.log.new_problem_entries())
        self.log.save(
            update_fields=[
                "new_problems",
                "status",
                "message",
                "stats",
                "errors",
                "planned_changes",
                "progress",
                "api_calls",
                "completed_at",
                "duration_ms",
            ]
        )

    # --- the phases ------------------------------------------------------------------------
    def import_pages(self, importer, listing, *, write=None) -> None:
        """Import a listing page by page, the next page fetched while one is written.

        `write` takes a page instead of `importer.import_page` where a phase routes its
        records first (the games phase splits each event into one record per team).
        """
        write = write or importer.import_page
        with prefetch(self.client, listing) as pages:
            for page in pages:
                write(page)
                self.checkpoint()

    def sync_seasons(self) -> None:
        importer = SeasonImporter(self.ctx)
        records = self.client.seasons()
        importer.import_page(records)
        current = [r["id"] for r in records if isinstance(r, dict) and r.get("active") is True]
        self.ctx.current_season_id = current[0] if current else None
        if self.config.season_scope == SeasonScope.CURRENT:
            self.ctx.scope_season_ids = current[:1]

    def season_ids(self) -> dict[int, int]:
        return dict(
            SeasonMapping.objects.filter(config=self.config, season__isnull=False).values_list(
                "twizzit_season_id", "season_id"
            )
        )

    def sync_teams(self) -> None:
        scoped = self.config.season_scope == SeasonScope.CURRENT
        if scoped and self.ctx.current_season_id is None:
            self.report.entity_failed("teams", "Twizzit lists no current season to sync teams of.")
            return
        names = groups.category_names_by_id(
            self.client.group_categories(group_type=TEAM_GROUP_TYPE)
        )
        importer = TeamImporter(
            self.ctx,
            category_names=names,
            season_ids=self.season_ids(),
            requested_season_id=self.ctx.current_season_id if scoped else None,
        )
        importer.refetch = lambda ids: self.client.iter_groups(
            group_ids=ids, group_type=TEAM_GROUP_TYPE
        )
        season_id = self.ctx.current_season_id if scoped else None
        self.import_pages(
            importer,
            lambda: self.client.iter_groups(season_id=season_id, group_type=TEAM_GROUP_TYPE),
        )
        importer.judge_deletions()

    def sync_players(self) -> None:
        importer = PlayerImporter(self.ctx)
        importer.refetch = lambda ids: self.client.iter_contacts(contact_ids=ids)
        filtered = self.config.current_members_only
        self.import_pages(
            importer,
            lambda: self.client.iter_contacts(current_membership=True if filtered else None),
        )
        if not filtered:  # a filtered listing cannot tell "deleted" from "filtered out"
            importer.judge_deletions()

    def sync_rosters(self) -> None:
        if self.ctx.scope_season_ids is None and self.config.season_scope == SeasonScope.CURRENT:
            self.ctx.scope_season_ids = list(
                SeasonMapping.objects.filter(
                    config=self.config, season__is_current=True
                ).values_list("twizzit_season_id", flat=True)
            )
        try:
            roles = rosters.role_map(self.client.contact_functions(), self.config.role_overrides)
        except MappingError as exc:
            self.report.entity_failed("rosters", f"Role overrides: {exc}")
            return
        teams = followed_teams(self.config)
        if self.ctx.scope_season_ids is not None:
            teams = teams.filter(twizzit_season_id__in=self.ctx.scope_season_ids)
        team_for_group = dict(teams.values_list("twizzit_group_id", "team_id"))
        group_ids = set(team_for_group) | self.ctx.planned.get("teams", set())
        if not group_ids:
            return
        importer = RosterImporter(self.ctx, roles=roles, team_for_group=team_for_group)
        self.import_pages(importer, lambda: self.client.iter_group_contacts(sorted(group_ids)))
        if not self.report.failed_entities and not importer.had_errors:
            importer.remove_stale()

    def sync_games(self) -> None:
        games.sync_games(self.ctx, self.client, self.import_pages)


def one_line(error, limit: int = 300) -> str:
    """An error's first line, shortened: a reason a person reads, not a dump."""
    lines = str(error).strip().splitlines()
    first = " ".join(lines[0].split()) if lines else type(error).__name__
    return first if len(first) <= limit else first[: limit - 1] + "…"
