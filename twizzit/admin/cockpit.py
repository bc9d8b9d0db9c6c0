"""The connection cockpit: what the status panel above a connection's form shows.

`cockpit_context(config)` reads `twizzit.services.status.connection_status` (the same
picture the REST API and `twizzit_status` give) and shapes it for people: the running
sync with its progress, the last finished sync with its counts, pending conflicts, the
month's quota with what a full sync costs, the next scheduled run, and the sync health
chart. It adds
no rule of its own; the few extra reads (the last runs for the chart, six months of
usage) only feed the chart and the cost of a full sync.
"""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from twizzit.admin import charts
from twizzit.admin.display import (
    age_in_seconds,
    count_rows,
    counter_labels,
    progress_of,
    seconds,
    status_badge,
)
from twizzit.models import (
    ACTIVE_STATUSES,
    ApiUsage,
    Resolution,
    SyncLog,
    SyncStatus,
    SyncType,
    TwizzitConfig,
)
from twizzit.models.usage import MonthUsage, month_of, this_month
from twizzit.services.status import connection_status

CHART_RUNS = 30
CHART_MONTHS = 6


def conflicts_url(config: TwizzitConfig) -> str:
    """The conflict list filtered to this connection's pending conflicts."""
    return (
        reverse("admin:twizzit_syncconflict_changelist")
        + f"?config__id__exact={config.pk}&resolution__exact={Resolution.PENDING}"
    )


def last_full_sync_cost(config: TwizzitConfig) -> int | None:
    """API calls of the last full sync that ran to its end (real or preview)."""
    return last_sync_cost(config, SyncType.FULL)


def last_sync_cost(config: TwizzitConfig, sync_type: str) -> int | None:
    """API calls of the last sync of `sync_type` that ran to its end (real or preview)."""
    return (
        config.sync_logs.filter(
            sync_type=sync_type, status__in=(SyncStatus.SUCCESS, SyncStatus.PARTIAL)
        )
        .order_by("-created_at", "-id")
        .values_list("api_calls", flat=True)
        .first()
    )


def quota_context(config: TwizzitConfig, usage: MonthUsage) -> dict:
    cost = last_full_sync_cost(config)
    return {
        "calls": usage.calls,
        "limit": usage.limit,
        "remaining": usage.remaining,
        "percent": min(round(100 * usage.calls / usage.limit), 100) if usage.limit else 100,
        "month": f"{usage.month:%Y-%m}",
        "full_sync_cost": cost,
        "full_syncs_left": usage.remaining // cost if cost else None,
        "high": usage.high,
    }


def running_context(config: TwizzitConfig, log: SyncLog | None) -> dict | None:
    if log is None:
        return None
    return {
        "log": log,
        "badge": status_badge(log.status),
        "type": log.get_sync_type_display(),
        "dry_run": log.dry_run,
        "progress": progress_of(log),
        "api_calls": log.api_calls,
        "elapsed": age_in_seconds(log.started_at or log.created_at),
        "heartbeat_age": age_in_seconds(log.heartbeat_at),
        "cancel_requested": log.cancel_requested,
        "url": reverse("admin:twizzit_synclog_change", args=[log.pk]),
        "cancel_url": reverse("admin:twizzit_twizzitconfig_cancel", args=[config.pk, log.pk]),
    }


def last_context(log: SyncLog | None) -> dict | None:
    if log is None:
        return None
    return {
        "log": log,
        "badge": status_badge(log.status),
        "when": log.completed_at or log.created_at,
        "duration": seconds(log.duration_ms),
        "rows": count_rows(log.stats),
        "message": log.message,
        "url": reverse("admin:twizzit_synclog_change", args=[log.pk]),
    }


def chart_context(config: TwizzitConfig, limit: int) -> dict:
    runs = config.sync_logs.exclude(status__in=ACTIVE_STATUSES).order_by("-created_at", "-id")[
        :CHART_RUNS
    ]
    months = [this_month()]
    for _ in range(CHART_MONTHS - 1):
        months.insert(0, month_of(months[0] - timedelta(days=1)))
    usage = dict(
        ApiUsage.objects.filter(config=config, month__gte=months[0]).values_list("month", "calls")
    )
    return {
        "runs": charts.runs_chart(runs, CHART_RUNS),
        "calls": charts.calls_chart([(m, usage.get(m, 0)) for m in months], limit),
    }


def cockpit_context(config: TwizzitConfig) -> dict:
    status = connection_status(config)
    manual = not config.syncs_by_itself
    return {
        "config": config,
        "running": running_context(config, status.running),
        "last": last_context(status.last_sync),
        "counter_labels": counter_labels(),
        "pending_conflicts": status.pending_conflicts,
        "conflicts_url": conflicts_url(config),
        "refused_players": status.refused_players,
        "refused_url": reverse("admin:shotspot_player_changelist") + "?twizzit_refused=yes",
        "quota": quota_context(config, status.usage),
        "next_run": None if manual else status.next_scheduled_run,
        "manual_only": manual or status.next_scheduled_run is None,
        "chart": chart_context(config, status.usage.limit),
        "fragment_url": reverse("admin:twizzit_twizzitconfig_panel", args=[config.pk]),
    }
