"""Where a connection stands: what runs now, how the last runs went, what is due next.

`connection_status(config)` is the one picture that `twizzit_status`, the REST API and
anyone watching a sync share: the run in progress with its progress (a run waiting for a
worker shows up here too, with status "pending"), the last finished runs, how many
conflicts wait for a person, the Twizzit calls spent this month against the limit, and
when the connection's schedule fires next.

Every value is JSON-safe (datetimes as ISO 8601 strings with their UTC offset), so the
dict can be printed or returned as it is.
"""

from __future__ import annotations

from django.utils import timezone

from twizzit.models import ACTIVE_STATUSES, Resolution, SyncLog, TwizzitConfig
from twizzit.quota import month_of, today, usage_this_month
from twizzit.schedules import next_run_of
from twizzit.sync.runs import active_run

RECENT_RUNS = 5


def connection_status(config: TwizzitConfig) -> dict:
    """The status of one connection (the shape is Contract 4 of the team brief)."""
    running = active_run(config)
    finished = config.sync_logs.exclude(status__in=ACTIVE_STATUSES).order_by("-created_at", "-id")[
        :RECENT_RUNS
    ]
    recent = [finished_run(log) for log in finished]
    calls, limit = usage_this_month(config)
    return {
        "connection": {
            "id": config.pk,
            "organization_id": config.organization_id,
            "organization_name": config.organization_name,
            "sync_enabled": config.sync_enabled,
            "auto_sync_frequency": config.auto_sync_frequency,
        },
        "running": running_run(running) if running else None,
        "last_sync": recent[0] if recent else None,
        "recent": recent,
        "pending_conflicts": config.conflicts.filter(resolution=Resolution.PENDING).count(),
        "api_usage": {
            "month": f"{month_of(today()):%Y-%m}",
            "calls": calls,
            "limit": limit,
            "remaining": max(limit - calls, 0),
        },
        "next_scheduled_run": iso(next_run_of(config)),
    }


def running_run(log: SyncLog) -> dict:
    return {
        "id": log.pk,
        "sync_type": log.sync_type,
        "status": log.status,
        "started_at": iso(log.started_at),
        "heartbeat_at": iso(log.heartbeat_at),
        "progress": log.progress,
        "stats": log.stats,
        "api_calls": log.api_calls,
    }


def finished_run(log: SyncLog) -> dict:
    return {
        "id": log.pk,
        "sync_type": log.sync_type,
        "status": log.status,
        "completed_at": iso(log.completed_at),
        "duration_ms": log.duration_ms,
        "stats": log.stats,
        "message": log.message,
    }


def iso(moment) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None
