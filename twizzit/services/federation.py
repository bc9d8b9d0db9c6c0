"""The federation view: every club's connection on one row, with the integration guide's
success metrics, and the three things a federation admin does to many clubs at once.

Per connection: its last finished run and that run's status; over the last 30 days the
success rate (successful runs ÷ finished runs, cancelled ones left out) and the conflict
rate (conflicts raised ÷ records the connection maps); pending conflicts; Twizzit calls
spent this month against the limit; the next scheduled run. The guide's targets: success
above 95 %, conflicts under 1 %; above 10 % conflicts is an alarm. All rows come from a fixed
number of queries (one per count, grouped by connection), whatever the number of connections
(`twizzit_bench --federation` measures it with 100).

The bulk actions call the same services as the cockpit: `verify_config`, `enqueue_sync`
and `update_connection` (a paused schedule is a connection synced "manually only").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django_q.models import Schedule

from twizzit.connection.schedules import schedule_name
from twizzit.models import (
    ACTIVE_STATUSES,
    ApiUsage,
    EventMapping,
    PlayerMapping,
    Resolution,
    SyncConflict,
    SyncFrequency,
    SyncLog,
    SyncStatus,
    SyncTrigger,
    SyncType,
    TeamMapping,
)
from twizzit.models.usage import this_month
from twizzit.services.access import connections_for
from twizzit.services.connections import update_connection
from twizzit.services.jobs import QuotaExhausted, SyncDisabled, enqueue_sync
from twizzit.services.verify import verify_config
from twizzit.sync import SyncInProgress

WINDOW_DAYS = 30
SUCCESS_TARGET = 95.0  # % of runs
CONFLICT_TARGET = 1.0  # % of records
CONFLICT_ALARM = 10.0

# Sortable columns: the query parameter's value → the annotation (None sorts last).
SORTS = {
    "name": "organization_name",
    "last_run": "last_run_at",
    "success": "success_rate",
    "conflicts": "conflict_rate",
    "pending": "pending",
    "quota": "calls",
    "next_run": "next_run",
}
STATUS_FILTERS = {"never": "Never synced", **dict(SyncStatus.choices)}


@dataclass
class Health:
    label: str  # "On target", "Below target", "Alarm"
    level: str  # "ok", "warning", "alarm" (the badge's class)


def _counts(model, ids, exclude=None, **filters) -> dict[int, int]:
    """{connection id: rows} in one grouped query (no per-connection subquery)."""
    rows = model.objects.filter(config_id__in=ids, **filters).exclude(**(exclude or {}))
    return dict(rows.order_by().values("config").annotate(n=Count("pk")).values_list("config", "n"))


def federation_rows(user, *, status: str = "", sort: str = "name"):
    """The connections `user` reaches (all, for a federation admin), annotated."""
    since = timezone.now() - timedelta(days=WINDOW_DAYS)
    newest = (
        SyncLog.objects.filter(config=OuterRef("pk"))
        .exclude(status__in=ACTIVE_STATUSES)
        .order_by("-created_at", "-id")
    )
    rows = connections_for(user).annotate(
        last_run_id=Subquery(newest.values("pk")[:1]),
        last_run_status=Subquery(newest.values("status")[:1]),
        last_run_at=Subquery(newest.values("created_at")[:1]),
    )
    if status == "never":
        rows = rows.filter(last_run_status__isnull=True)
    elif status in SyncStatus.values:
        rows = rows.filter(last_run_status=status)
    rows = list(rows)
    ids = [row.pk for row in rows]
    # Finished runs of the window; a dry run is a preview, a cancelled one says nothing.
    window = {"created_at__gte": since, "dry_run": False}
    runs = _counts(SyncLog, ids, {"status__in": [*ACTIVE_STATUSES, SyncStatus.CANCELLED]}, **window)
    successes = _counts(SyncLog, ids, status=SyncStatus.SUCCESS, **window)
    raised = _counts(SyncConflict, ids, created_at__gte=since)
    pending = _counts(SyncConflict, ids, resolution=Resolution.PENDING)
    records = [_counts(model, ids) for model in (PlayerMapping, TeamMapping, EventMapping)]
    calls = dict(
        ApiUsage.objects.filter(config_id__in=ids, month=this_month()).values_list(
            "config", "calls"
        )
    )
    next_runs = dict(
        Schedule.objects.filter(name__in=[schedule_name(pk) for pk in ids])
        .exclude(repeats=0)
        .values_list("name", "next_run")
    )
    for row in rows:
        row.runs = runs.get(row.pk, 0)
        row.successes = successes.get(row.pk, 0)
        row.raised = raised.get(row.pk, 0)
        row.pending = pending.get(row.pk, 0)
        row.records = sum(counts.get(row.pk, 0) for counts in records)
        row.calls = calls.get(row.pk, 0)
        row.success_rate = row.successes * 100 / row.runs if row.runs else None
        row.conflict_rate = row.raised * 100 / row.records if row.records else None
        row.next_run = next_runs.get(schedule_name(row.pk))
        row.health = health(row.success_rate, row.conflict_rate)
    key = SORTS.get(sort.lstrip("-"), "organization_name")
    present = [row for row in rows if getattr(row, key) is not None]
    missing = [row for row in rows if getattr(row, key) is None]
    present.sort(key=lambda row: getattr(row, key), reverse=sort.startswith("-"))
    return present + missing


def health(success_rate, conflict_rate) -> Health:
    if conflict_rate is not None and conflict_rate > CONFLICT_ALARM:
        return Health("Alarm: conflicts above 10 %", "alarm")
    below = (success_rate is not None and success_rate <= SUCCESS_TARGET) or (
        conflict_rate is not None and conflict_rate >= CONFLICT_TARGET
    )
    return Health("Below target", "warning") if below else Health("On target", "ok")


# --- the bulk actions: one line per connection, for the page's messages ---------------------
def test_selected(configs) -> list[str]:
    lines = []
    for config in configs:
        report = verify_config(config)
        lines.append(f"{config}: {'credentials accepted' if report.ok else 'test failed'}")
    return lines


def full_sync_selected(configs, user) -> list[str]:
    lines = []
    for config in configs:
        try:
            log = enqueue_sync(config, SyncType.FULL, trigger=SyncTrigger.ADMIN, user=user)
            lines.append(f"{config}: full sync #{log.pk} queued")
        except (SyncInProgress, SyncDisabled, QuotaExhausted) as exc:
            lines.append(f"{config}: not started ({exc})")
    return lines


def pause_selected(configs) -> list[str]:
    lines = []
    for config in configs:
        if config.auto_sync_frequency == SyncFrequency.MANUAL:
            lines.append(f"{config}: already manual only")
            continue
        update_connection(config, auto_sync_frequency=SyncFrequency.MANUAL)
        lines.append(f"{config}: schedule paused (manual only)")
    return lines
