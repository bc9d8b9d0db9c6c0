"""One sync at a time per connection, across processes and machines.

A run *claims* its connection with one atomic conditional UPDATE on the TwizzitConfig row
(`running_sync` is empty, or its lease has expired): it works the same on SQLite and
PostgreSQL, and of two workers racing for one connection exactly one gets the row.

While it works the run renews its lease at every checkpoint (once per page) and from a
heartbeat thread (`liveness.py`), and records which process holds it. A run is presumed
dead, marked failed ("interrupted: ...") and its connection freed, by the next sync's
request or claim and by the periodic janitor, when
- its heartbeat is older than TWIZZIT_SYNC_LEASE_SECONDS (its process was killed), or
- its owner is a process of this machine that is gone (no need to wait for the lease), or
- it is pending, was created by a process to run itself (the CLI), and that process is
  gone or has not claimed it within the lease window.
A run that finds at a checkpoint that it lost its claim stops at once.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from twizzit.models import ACTIVE_STATUSES, SyncLog, SyncStatus, SyncType, TwizzitConfig
from twizzit.notify import events as notify_events
from twizzit.sync.liveness import lease_window, owner_is_gone, process_identity

INTERRUPTED = "interrupted: the process running it stopped (its heartbeat ended)"
NEVER_STARTED = "never started: no worker picked it up"
CREATOR_GONE = "never started: the process that created it stopped before it began"
CLAIM_LOST = (
    "interrupted: its heartbeat lapsed and another run took the connection; "
    "what it wrote so far is kept"
)


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


def reap_stale_runs(config: TwizzitConfig | None = None) -> int:
    """Mark runs whose process stopped as failed and free their connections."""
    now = timezone.now()
    active = SyncLog.objects.filter(status__in=ACTIVE_STATUSES)
    if config is not None:
        active = active.filter(config=config)
    cutoff = now - lease_window()
    reaped = 0
    # Pending runs without an owner wait for a worker: `reap_unstarted_runs` judges those.
    for log in active.exclude(owner="", status=SyncStatus.PENDING).only(
        "pk", "status", "owner", "started_at", "created_at", "heartbeat_at", "config_id"
    ):
        if log.status == SyncStatus.RUNNING:
            silent = log.heartbeat_at is not None and log.heartbeat_at < cutoff
        else:  # its creator meant to claim it within milliseconds
            silent = log.created_at < cutoff
        if silent or owner_is_gone(log.owner):
            reaped += _fail_dead(log, now)
    return reaped


def _fail_dead(log: SyncLog, now) -> int:
    started = log.status == SyncStatus.RUNNING
    duration = int((now - log.started_at).total_seconds() * 1000) if log.started_at else None
    failed = SyncLog.objects.filter(pk=log.pk, status=log.status).update(
        status=SyncStatus.FAILED,
        message=INTERRUPTED if started else CREATOR_GONE,
        completed_at=now,
        duration_ms=duration,
    )
    if failed and started:
        notify_events.run_stale(log.pk)  # never raises; the mail goes out after commit
    TwizzitConfig.objects.filter(pk=log.config_id, running_sync=log.pk).update(
        running_sync=None, lease_expires_at=None
    )
    return failed


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


def create_run(
    config, sync_type, *, dry_run, trigger, user, run_here=False, selection=None
) -> SyncLog:
    """Create a pending SyncLog, refusing when the connection already has an active one.

    `run_here`: this process claims the run itself next (the CLI), so the run records it
    as its owner and is failed at once if this process dies before claiming.
    A "selected" run needs `selection` (checked by `selected.clean_selection`, which
    raises `SelectionError`); other runs take none.
    """
    from twizzit.sync.selected import clean_selection

    selection = clean_selection(selection) if sync_type == SyncType.SELECTED else {}
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
            owner=process_identity() if run_here else "",
            selection=selection,
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
        status=SyncStatus.RUNNING, started_at=now, heartbeat_at=now, owner=process_identity()
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
            status=SyncStatus.PENDING, started_at=None, heartbeat_at=None, owner=""
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
