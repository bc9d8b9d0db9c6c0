"""Handing work to the django-q2 workers: syncs and bulk conflict resolutions.

`enqueue_sync` is what the admin, the REST API and the CLI (`--async`) call: it creates
the pending SyncLog first (refusing with `SyncInProgress` when the connection already has
a pending or running one), then the task that a qcluster worker runs. The worker claims
the connection before working (`twizzit.sync.runs`), so even two workers that got the
same connection's tasks never sync it twice at once.

Scheduled syncs (`run_scheduled_sync`, what a connection's schedule runs) go through the
*scheduled lane*: one scheduled sync at a time across all connections and workers, in the
order they came due, so connections due at once run one after another and a failure in
one never stops the next. A schedule that fires queues a pending run; whoever finds the
lane free takes the oldest queued run and, once it is done, hands the lane on with a new
task. One task runs one sync, so no task outlives the cluster's timeout however many
connections are due. A schedule that cannot sync now is recorded, not silently dropped:
a SyncLog (trigger "schedule") *cancelled* when sync is disabled or a run of that
connection is still pending or running, or "paused until" the month renews when its
call quota is spent.

`clean_up` is the janitor's work (`twizzit.tasks.janitor`, every few minutes): it fails
runs whose worker stopped and runs no worker started, restarts a stalled lane, and
queues again the notification mails that are due a retry (`twizzit.notify.delivery`),
and once a day prunes what retention says is kept no longer
(`twizzit.services.privacy.retention`).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from twizzit.models import (
    ACTIVE_STATUSES,
    SyncLog,
    SyncStatus,
    SyncTrigger,
    SyncType,
    TwizzitConfig,
)
from twizzit.models.usage import renews_on, would_exceed
from twizzit.notify import delivery
from twizzit.services.privacy import retention
from twizzit.sync import run_sync, runs
from twizzit.sync.runs import SyncInProgress, create_run, reserve

__all__ = [
    "QuotaExhausted",
    "SyncDisabled",
    "SyncInProgress",
    "clean_up",
    "enqueue_conflict_resolution",
    "enqueue_sync",
    "run_next_scheduled_sync",
    "run_scheduled_sync",
]

logger = logging.getLogger(__name__)

# A pending run no worker has started after this long is failed, so it stops blocking the
# connection (no cluster running, or its task lost with a killed Redis worker). Generous,
# because scheduled runs wait their turn in the lane.
UNSTARTED_MAX_AGE = timedelta(hours=2)


class QuotaExhausted(Exception):
    """The connection's monthly Twizzit call limit is spent."""

    def __init__(self, config: TwizzitConfig):
        super().__init__(
            f"The monthly Twizzit call limit of {config.organization_name} "
            f"({config.monthly_call_limit} calls) is spent; syncs resume next month "
            "or after the limit is raised."
        )


class SyncDisabled(Exception):
    """Sync is switched off on the connection: nothing is started for it."""

    def __init__(self, config: TwizzitConfig):
        super().__init__(
            f"Sync is disabled on {config.organization_name}; enable it on the connection "
            "to start a sync."
        )


def enqueue_sync(
    config: TwizzitConfig,
    sync_type: str = SyncType.FULL,
    *,
    dry_run: bool = False,
    trigger: str = SyncTrigger.MANUAL,
    user=None,
    selection: dict | None = None,
) -> SyncLog:
    """Create a pending SyncLog and the task that runs it; returns the SyncLog.

    A "selected" sync takes `selection` ({"contact_ids": [...], "group_ids": [...]}).
    """
    if not config.sync_enabled:
        raise SyncDisabled(config)
    if would_exceed(config):
        raise QuotaExhausted(config)
    log = create_run(
        config, sync_type, dry_run=dry_run, trigger=trigger, user=user, selection=selection
    )
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


# --- the scheduled lane ------------------------------------------------------------------
def run_scheduled_sync(config_id: int) -> SyncLog | None:
    """What a connection's schedule does when it fires: queue a run, then work the lane.

    Returns the connection's run: finished when this task ran it, pending when it waits
    its turn behind another connection, cancelled or failed when it was skipped.
    """
    config = TwizzitConfig.objects.filter(pk=config_id).first()
    if config is None:
        logger.info("Schedule fired for connection %s, which no longer exists.", config_id)
        return None
    log = queue_scheduled_run(config)
    if log.status == SyncStatus.PENDING:
        run_next_scheduled_sync()
        log.refresh_from_db()
    return log


def queue_scheduled_run(config: TwizzitConfig) -> SyncLog:
    """A pending scheduled run of `config`, or the record of why there is none."""
    if not config.sync_enabled:
        return _skipped(config, SyncStatus.CANCELLED, "Skipped: sync is disabled.")
    if would_exceed(config):
        # Paused, not failed: the schedule resumes by itself when the month renews.
        return _skipped(
            config,
            SyncStatus.CANCELLED,
            f"Paused until {renews_on():%Y-%m-%d}: {QuotaExhausted(config)}",
        )
    try:
        return create_run(
            config, SyncType.FULL, dry_run=False, trigger=SyncTrigger.SCHEDULE, user=None
        )
    except SyncInProgress as exc:
        return _skipped(
            config,
            SyncStatus.CANCELLED,
            f"Skipped: sync #{exc.active.pk} of this connection was still {exc.active.status}."
            if exc.active
            else "Skipped: another sync of this connection was in progress.",
        )


def run_next_scheduled_sync() -> SyncLog | None:
    """Run the oldest queued scheduled sync if the lane is free; then hand the lane on."""
    log = _take_lane()
    if log is None:
        return None
    try:
        run_sync(log.config, log.sync_type, sync_log=log)
    except Exception:
        # The engine records its own failures; this is the lane surviving anything else.
        logger.exception("Scheduled sync #%s of %s crashed", log.pk, log.config)
    finally:
        if queued_scheduled_runs().exists():
            _hand_lane_on()
    log.refresh_from_db()
    return log


def _hand_lane_on() -> None:
    async_task("twizzit.tasks.run_next_scheduled_sync", task_name="twizzit-lane")


def queued_scheduled_runs():
    return SyncLog.objects.filter(trigger=SyncTrigger.SCHEDULE, status=SyncStatus.PENDING)


def lane_is_busy() -> bool:
    """A scheduled run holds (or has reserved) its connection and its lease is alive."""
    return TwizzitConfig.objects.filter(
        running_sync__trigger=SyncTrigger.SCHEDULE,
        running_sync__status__in=ACTIVE_STATUSES,
        lease_expires_at__gt=timezone.now(),
    ).exists()


def _take_lane() -> SyncLog | None:
    with transaction.atomic():
        # Every worker deciding who goes next locks the same rows (all connections, in pk
        # order), so two of them never both find the lane free. Nothing slow happens
        # under the lock: no HTTP, a few queries.
        list(TwizzitConfig.objects.select_for_update().order_by("pk").values_list("pk"))
        if lane_is_busy():
            return None
        for log in queued_scheduled_runs().select_related("config").order_by("created_at", "pk"):
            if reserve(log):
                return log
    return None


def _skipped(config: TwizzitConfig, status: str, message: str) -> SyncLog:
    logger.info("Scheduled sync of %s not run. %s", config, message)
    return SyncLog.objects.create(
        config=config,
        sync_type=SyncType.FULL,
        trigger=SyncTrigger.SCHEDULE,
        status=status,
        message=message,
        completed_at=timezone.now(),
    )


# --- the janitor -----------------------------------------------------------------------------
def clean_up() -> dict:
    """Fail dead and never-started runs, restart a stalled lane (every few minutes)."""
    interrupted = runs.reap_stale_runs()
    never_started = runs.reap_unstarted_runs(UNSTARTED_MAX_AGE)
    if interrupted or never_started:
        logger.warning(
            "Janitor: %d sync(s) interrupted (their worker stopped), %d never started.",
            interrupted,
            never_started,
        )
    # The worker holding the scheduled lane may have died with runs still queued.
    lane_restarted = queued_scheduled_runs().exists() and not lane_is_busy()
    if lane_restarted:
        _hand_lane_on()
    return {
        "interrupted": interrupted,
        "never_started": never_started,
        "lane_restarted": lane_restarted,
        "notifications_retried": delivery.retry_due(),
        "pruned": _prune_daily(),
    }


def _prune_daily() -> dict | None:
    """Retention, once a day (`twizzit.services.privacy.retention`); never fails the janitor."""
    try:
        report = retention.prune_daily()
    except Exception:
        logger.exception("Janitor: pruning old personal data failed; retried tomorrow.")
        return None
    return report.removed if report else None
