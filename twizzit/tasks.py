"""django-q2 task entry points: thin functions that take ids and call the services.

Workers import these by dotted path (`twizzit.tasks.run_sync_task`); they hold no business
rules of their own.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model

from twizzit.models import SyncLog
from twizzit.notify import delivery
from twizzit.services import jobs
from twizzit.sync import resolve_conflicts, run_sync

logger = logging.getLogger(__name__)


def run_sync_task(sync_log_id: int) -> dict:
    """Run the pending sync `sync_log_id` (created by `twizzit.services.jobs.enqueue_sync`)."""
    log = SyncLog.objects.select_related("config").get(pk=sync_log_id)
    log = run_sync(log.config, log.sync_type, sync_log=log)
    return {"id": log.pk, "status": log.status}


def resolve_conflicts_task(ids: list[int], resolution: str, user_id: int | None = None) -> dict:
    """Resolve conflicts `ids` with `resolution`; failures are reported, not raised."""
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    result = resolve_conflicts(ids, resolution, user=user)
    if result.failed:
        logger.warning("%d of %d conflicts not resolved", len(result.failed), len(ids))
    return result.as_dict()


def scheduled_sync(config_id: int) -> dict | None:
    """What the schedule `twizzit-sync-<config_id>` runs (see twizzit.connection.schedules)."""
    log = jobs.run_scheduled_sync(config_id)
    return {"id": log.pk, "status": log.status, "message": log.message} if log else None


def run_next_scheduled_sync() -> dict | None:
    """The scheduled lane handing itself on: run the next queued scheduled sync."""
    log = jobs.run_next_scheduled_sync()
    return {"id": log.pk, "status": log.status} if log else None


def send_notification(notification_id: int) -> str:
    """Mail one recorded notification (see `twizzit.notify.delivery`)."""
    return delivery.deliver(notification_id)


def janitor() -> dict:
    """Every few minutes (schedule `twizzit-janitor`): see `twizzit.services.jobs.clean_up`."""
    return jobs.clean_up()
