"""Where a connection stands: what runs now, how the last runs went, what is due next.

`connection_status(config)` is the one picture that `twizzit_status`, the REST API and
anyone watching a sync share: the run in progress with its progress and heartbeat age (a
run waiting for a worker shows up here too, with status "pending"; a running one whose
heartbeat stopped longer ago than the lease, with status "stale"), the last finished runs
(a dry run is marked `dry_run`: a preview that wrote nothing), how many
conflicts wait for a person, the Twizzit calls spent this month against the limit, and
when the connection's schedule fires next.

Every value is JSON-safe (datetimes as ISO 8601 strings with their UTC offset), so the
dict can be printed or returned as it is.
"""

from __future__ import annotations

from django.utils import timezone

from twizzit.models import ACTIVE_STATUSES, ApiUsage, Resolution, SyncLog, TwizzitConfig
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
    rate_limited_at = (
        ApiUsage.objects.filter(config=config, month=month_of(today()))
        .values_list("rate_limited_at", flat=True)
        .first()
    )
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
            # Twizzit answered 429 without Retry-After this month: maybe spent already.
            "possibly_spent": rate_limited_at is not None,
            "rate_limited_at": iso(rate_limited_at),
        },
        "next_scheduled_run": iso(next_run_of(config)),
    }


def running_run(log: SyncLog) -> dict:
    return {
        "id": log.pk,
        "sync_type": log.sync_type,
        "dry_run": log.dry_run,
        "status": log.shown_status,
        "started_at": iso(log.started_at),
        "heartbeat_at": iso(log.heartbeat_at),
        "heartbeat_age_seconds": (
            round(log.heartbeat_age) if log.heartbeat_age is not None else None
        ),
        "progress": log.progress,
        "stats": log.stats,
        "api_calls": log.api_calls,
    }


def finished_run(log: SyncLog) -> dict:
    return {
        "id": log.pk,
        "sync_type": log.sync_type,
        "dry_run": log.dry_run,
        "status": log.status,
        "completed_at": iso(log.completed_at),
        "duration_ms": log.duration_ms,
        "stats": log.stats,
        "message": log.message,
    }


def iso(moment) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None
