"""Handing work to the django-q2 workers: syncs and bulk conflict resolutions.

`enqueue_sync` is what the admin, the REST API, the CLI (`--async`) and the schedules call:
it creates the pending SyncLog first (refusing with `SyncInProgress` when the connection
already has a pending or running one), then the task that a qcluster worker runs. The
worker claims the connection before working (`twizzit.sync.runs`), so even two workers
that got the same connection's tasks never sync it twice at once.
"""

from __future__ import annotations

from django.db import transaction
from django_q.tasks import async_task

from twizzit.models import SyncLog, SyncTrigger, SyncType, TwizzitConfig
from twizzit.quota import would_exceed
from twizzit.sync.runs import SyncInProgress, create_run

__all__ = ["QuotaExhausted", "SyncInProgress", "enqueue_conflict_resolution", "enqueue_sync"]


class QuotaExhausted(Exception):
    """The connection's monthly Twizzit call limit is spent."""

    def __init__(self, config: TwizzitConfig):
        super().__init__(
            f"The monthly Twizzit call limit of {config.organization_name} "
            f"({config.monthly_call_limit} calls) is spent; syncs resume next month "
            "or after the limit is raised."
        )


def enqueue_sync(
    config: TwizzitConfig,
    sync_type: str = SyncType.FULL,
    *,
    dry_run: bool = False,
    trigger: str = SyncTrigger.MANUAL,
    user=None,
) -> SyncLog:
    """Create a pending SyncLog and the task that runs it; returns the SyncLog."""
    if would_exceed(config):
        raise QuotaExhausted(config)
    log = create_run(config, sync_type, dry_run=dry_run, trigger=trigger, user=user)
    # The worker must find the committed SyncLog, so enqueue only after the commit.
    transaction.on_commit(lambda: _send_sync_task(log))
    return log


def _send_sync_task(log: SyncLog) -> None:
    task_id = async_task(
        "twizzit.tasks.run_sync_task",
        log.pk,
        task_name=f"twizzit-sync-{log.pk}",
        group=f"twizzit-sync-{log.config_id}",
    )
    SyncLog.objects.filter(pk=log.pk).update(task_id=task_id or "")
    log.task_id = task_id or ""


def enqueue_conflict_resolution(ids, resolution: str, *, user=None) -> str:
    """Resolve many conflicts in a worker, so no request waits on hundreds of them."""
    user_id = user.pk if user is not None and user.is_authenticated else None
    return async_task(
        "twizzit.tasks.resolve_conflicts_task",
        sorted(int(pk) for pk in ids),
        resolution,
        user_id,
        task_name=f"twizzit-resolve-{resolution}",
    )
