"""One sync at a time per connection, across processes and machines.

A run *claims* its connection with one atomic conditional UPDATE on the TwizzitConfig row
(`running_sync` is empty, or its lease has expired): it works the same on SQLite and
PostgreSQL, and of two workers racing for one connection exactly one gets the row.

While it works the run renews its lease at every checkpoint (once per page) and writes a
heartbeat on its SyncLog. A run whose heartbeat is older than TWIZZIT_SYNC_LEASE_SECONDS
is presumed dead (its worker was killed): it is marked failed ("interrupted: the worker
stopped") and the connection is freed, by the next claim and by the periodic janitor.
A run that finds at a checkpoint that it lost its claim stops at once.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from twizzit.models import ACTIVE_STATUSES, SyncLog, SyncStatus, TwizzitConfig
from twizzit.notify import events as notify_events

INTERRUPTED = "interrupted: the worker stopped"
NEVER_STARTED = "never started: no worker picked it up"


class SyncInProgress(Exception):
    """The connection already has a pending or running sync."""

    def __init__(self, config, active: SyncLog | None = None):
        self.active = active
        which = f" (sync #{active.pk}, {active.status})" if active else ""
        super().__init__(f"A sync of {config.organization_name} is already in progress{which}.")


class SyncCancelled(Exception):
    """Someone asked the run to stop; what it wrote so far stays."""


class ClaimLost(Exception):
    """Another worker took over the connection because this run's lease expired."""


def lease_window() -> timedelta:
    return timedelta(seconds=settings.TWIZZIT_SYNC_LEASE_SECONDS)


def reap_stale_runs(config: TwizzitConfig | None = None) -> int:
    """Mark runs whose worker stopped as failed and free their connections."""
    now = timezone.now()
    stale = SyncLog.objects.filter(status=SyncStatus.RUNNING, heartbeat_at__lt=now - lease_window())
    if config is not None:
        stale = stale.filter(config=config)
    reaped = 0
    for log in stale.only("pk", "started_at", "config_id"):
        duration = int((now - log.started_at).total_seconds() * 1000) if log.started_at else None
        marked = SyncLog.objects.filter(pk=log.pk, status=SyncStatus.RUNNING).update(
            status=SyncStatus.FAILED, message=INTERRUPTED, completed_at=now, duration_ms=duration
        )
        if marked:
            notify_events.run_stale(log.pk)  # never raises; the mail goes out after commit
        reaped += marked
        TwizzitConfig.objects.filter(pk=log.config_id, running_sync=log.pk).update(
            running_sync=None, lease_expires_at=None
        )
    return reaped


def reap_unstarted_runs(max_age: timedelta) -> int:
    """Fail pending runs that no worker has picked up for `max_age` (no cluster running)."""
    now = timezone.now()
    stale = list(
        SyncLog.objects.filter(status=SyncStatus.PENDING, created_at__lt=now - max_age).values_list(
            "pk", flat=True
        )
    )
    failed = SyncLog.objects.filter(pk__in=stale, status=SyncStatus.PENDING).update(
        status=SyncStatus.FAILED, message=NEVER_STARTED, completed_at=now
    )
    free_reservations(stale)
    return failed


def free_reservations(log_ids) -> None:
    """Free connections reserved for runs that will now never start."""
    TwizzitConfig.objects.filter(running_sync__in=list(log_ids)).update(
        running_sync=None, lease_expires_at=None
    )


def fail_unstarted(log: SyncLog, message: str) -> bool:
    """Fail a run that could not start, and free a reservation made for it."""
    failed = SyncLog.objects.filter(pk=log.pk, status=SyncStatus.PENDING).update(
        status=SyncStatus.FAILED, completed_at=timezone.now(), message=message
    )
    if failed:
        free_reservations([log.pk])
    return bool(failed)


def active_run(config: TwizzitConfig) -> SyncLog | None:
    return config.sync_logs.filter(status__in=ACTIVE_STATUSES).order_by("created_at").first()


def create_run(config, sync_type, *, dry_run, trigger, user) -> SyncLog:
    """Create a pending SyncLog, refusing when the connection already has an active one."""
    reap_stale_runs(config)
    with transaction.atomic():
        # Lock the connection row so two requests cannot both see "nothing in progress".
        locked = TwizzitConfig.objects.select_for_update().get(pk=config.pk)
        active = active_run(locked)
        if active is not None:
            raise SyncInProgress(locked, active)
        return SyncLog.objects.create(
            config=locked,
            sync_type=sync_type,
            dry_run=dry_run,
            trigger=trigger,
            triggered_by=user if user is not None and user.is_authenticated else None,
        )


def claim(config: TwizzitConfig, log: SyncLog) -> bool:
    """Atomically make `log` the connection's running sync; False if it may not run now.

    Two single-row conditional UPDATEs, each atomic on SQLite and PostgreSQL alike:
    first the run moves from pending to running, which exactly one worker can do for a
    given run (a second delivery of the same task stops here); then it takes the
    connection if it is free, its lease expired, or it was reserved for this very run
    (the scheduled lane reserves before starting). If another run holds the connection,
    the run goes back to pending and the caller decides what becomes of it.
    """
    reap_stale_runs(config)
    now = timezone.now()
    started = SyncLog.objects.filter(pk=log.pk, status=SyncStatus.PENDING).update(
        status=SyncStatus.RUNNING, started_at=now, heartbeat_at=now
    )
    if not started:  # cancelled, finished, or already taken by another worker
        return False
    claimed = (
        TwizzitConfig.objects.filter(pk=config.pk)
        .filter(Q(running_sync__isnull=True) | Q(running_sync=log) | Q(lease_expires_at__lt=now))
        .update(running_sync=log, lease_expires_at=now + lease_window())
    )
    if not claimed:
        SyncLog.objects.filter(pk=log.pk, status=SyncStatus.RUNNING).update(
            status=SyncStatus.PENDING, started_at=None, heartbeat_at=None
        )
        return False
    log.refresh_from_db()
    return True


def reserve(log: SyncLog) -> bool:
    """Hold a free connection for a pending run that will claim it next (the scheduled lane).

    `claim` accepts a connection reserved in the run's own name; the lease bounds how long
    a reservation whose worker died blocks the connection.
    """
    now = timezone.now()
    return bool(
        TwizzitConfig.objects.filter(pk=log.config_id)
        .filter(Q(running_sync__isnull=True) | Q(lease_expires_at__lt=now))
        .update(running_sync=log, lease_expires_at=now + lease_window())
    )


def renew(config: TwizzitConfig, log: SyncLog) -> bool:
    """Extend the lease; False when this run no longer holds the connection."""
    now = timezone.now()
    return bool(
        TwizzitConfig.objects.filter(pk=config.pk, running_sync=log).update(
            lease_expires_at=now + lease_window()
        )
    )


def release(config: TwizzitConfig, log: SyncLog, *, completed: bool = False) -> None:
    changes = {"running_sync": None, "lease_expires_at": None}
    if completed:
        changes["last_sync_at"] = timezone.now()
    TwizzitConfig.objects.filter(pk=config.pk, running_sync=log).update(**changes)


def request_cancel(log: SyncLog) -> SyncLog:
    """Ask a run to stop. A pending run is cancelled at once; a running one at its next page."""
    now = timezone.now()
    if SyncLog.objects.filter(pk=log.pk, status=SyncStatus.PENDING).update(
        status=SyncStatus.CANCELLED,
        cancel_requested=True,
        completed_at=now,
        message="Cancelled before it started.",
    ):
        free_reservations([log.pk])
        log.refresh_from_db()
        return log
    SyncLog.objects.filter(pk=log.pk, status=SyncStatus.RUNNING).update(cancel_requested=True)
    log.refresh_from_db()
    return log
