"""Is the service doing its job? The checks behind `/health/` and `twizzit_health`.

Five checks, each cheap enough for a load balancer polling every few seconds (a handful
of small queries and two Redis round trips in all):

- **database**: a `SELECT 1` on the default database.
- **broker**: django-q2's broker answers (a Redis PING; the ORM broker is the database).
- **workers**: at least one qcluster of this cluster name is alive. Every cluster writes
  its status (django-q2's `Stat`) to the broker, or with the ORM broker to the shared
  cache `workers`, twice a second with a lifetime of 3 seconds; a killed cluster's status
  is gone within those 3 seconds. A status older than WORKER_HEARTBEAT_SECONDS also
  counts as dead (a cache that keeps entries longer than asked).
- **janitor**: its schedule exists, is not overdue (it fires every few minutes while a
  cluster's scheduler runs), and its last run did not fail.
- **connections**: no connection that syncs by itself went longer than its schedule
  allows without a completed (successful or partial) sync: twice its interval plus
  SYNC_GRACE, so one missed or slow run is tolerated and a dead schedule is not.

A report says which checks fail and why, in plain words; it never carries a secret, a
password, a person's name or a connection's organisation name (a connection is named by
its number and Twizzit organisation id), because `/health/` answers without a login.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import DatabaseError, connection
from django.db.models import Max, Min, Q
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.models import Schedule, Task
from django_q.status import Stat

from twizzit.connection.schedules import JANITOR_EVERY_MINUTES, JANITOR_SCHEDULE
from twizzit.models import SyncStatus, SyncType, TwizzitConfig
from twizzit.models.connections import SyncFrequency

logger = logging.getLogger(__name__)

# A cluster's status is rewritten every half second and expires after 3 s; one older than
# this is a dead cluster's, whatever the cache does. /health/ turns 503 within this window.
WORKER_HEARTBEAT_SECONDS = 10
# The janitor's schedule is due every JANITOR_EVERY_MINUTES; the scheduler looks about
# every 30 s. Overdue by this much means no cluster's scheduler is running.
JANITOR_GRACE = timedelta(minutes=2)
# A scheduled sync may wait its turn in the scheduled lane and take a while.
SYNC_GRACE = timedelta(minutes=30)
ALIVE_STATES = {str(Conf.STARTING), str(Conf.WORKING), str(Conf.IDLE)}
INTERVALS = {
    SyncFrequency.HOURLY: timedelta(hours=1),
    SyncFrequency.DAILY: timedelta(days=1),
    SyncFrequency.WEEKLY: timedelta(weeks=1),
}


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    items: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = {"ok": self.ok, "detail": self.detail}
        if self.items:
            data["items"] = self.items
        return data


@dataclass
class HealthReport:
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def failing(self) -> list[str]:
        return [check.name for check in self.checks if not check.ok]

    def as_dict(self) -> dict:
        return {
            "status": "ok" if self.ok else "failing",
            "failing": self.failing,
            "checks": {check.name: check.as_dict() for check in self.checks},
        }

    def summary(self) -> str:
        """One line: what a monitoring script or a person reads first."""
        shown = self.checks if self.ok else [check for check in self.checks if not check.ok]
        words = "; ".join(f"{check.name} ({check.detail})" for check in shown)
        return f"{'ok' if self.ok else 'failing'}: {words}"


CHECK_NAMES = ("database", "broker", "workers", "janitor", "connections")


def health(only: tuple[str, ...] = CHECK_NAMES, now: datetime | None = None) -> HealthReport:
    """Run the named checks (all by default); a check that crashes counts as failing."""
    now = now or timezone.now()
    runners = {
        "database": check_database,
        "broker": check_broker,
        "workers": lambda: check_workers(now),
        "janitor": lambda: check_janitor(now),
        "connections": lambda: check_connections(now),
    }
    checks = []
    for name in only:
        try:
            checks.append(runners[name]())
        except Exception as exc:  # a health check reports; it never raises
            logger.warning("Health check %s could not run: %s", name, type(exc).__name__)
            checks.append(Check(name, False, f"could not be checked ({type(exc).__name__})"))
    return HealthReport(checks)


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return Check("database", False, f"unreachable ({type(exc).__name__})")
    return Check("database", True, "reachable")


@functools.cache
def broker():
    """One broker per process: its Redis connection pool is reused from poll to poll."""
    return get_broker()


def check_broker() -> Check:
    try:
        broker().ping()
    except Exception as exc:
        return Check("broker", False, f"unreachable ({type(exc).__name__})")
    return Check("broker", True, broker().info())


def check_workers(now: datetime) -> Check:
    alive = [
        stat
        for stat in Stat.get_all(broker=broker())
        if str(stat.status) in ALIVE_STATES
        and (now - stat.timestamp).total_seconds() <= WORKER_HEARTBEAT_SECONDS
    ]
    if not alive:
        return Check(
            "workers",
            False,
            f"no worker cluster '{Conf.PREFIX}' seen in the last "
            f"{WORKER_HEARTBEAT_SECONDS} s: start bin/worker",
        )
    processes = sum(len(stat.workers) for stat in alive)
    return Check(
        "workers",
        True,
        f"{len(alive)} cluster{'s' if len(alive) != 1 else ''} alive, "
        f"{processes} worker process{'es' if processes != 1 else ''}",
    )


def check_janitor(now: datetime) -> Check:
    schedule = Schedule.objects.filter(name=JANITOR_SCHEDULE).only("next_run", "task").first()
    if schedule is None:
        return Check("janitor", False, "no schedule: run bin/migrate")
    overdue_since = now - JANITOR_GRACE
    if schedule.next_run and schedule.next_run < overdue_since:
        return Check(
            "janitor",
            False,
            f"overdue since {schedule.next_run:%Y-%m-%d %H:%M:%S} UTC: no scheduler is running",
        )
    last = (
        Task.objects.filter(id=schedule.task).only("stopped", "success").first()
        if schedule.task
        else None
    )
    if last is None:
        return Check("janitor", True, "scheduled, not run yet")
    if not last.success:
        return Check("janitor", False, f"its last run failed at {last.stopped:%Y-%m-%d %H:%M} UTC")
    return Check(
        "janitor",
        True,
        f"last run {last.stopped:%Y-%m-%d %H:%M} UTC, every {JANITOR_EVERY_MINUTES} minutes",
    )


def interval_of(config: TwizzitConfig) -> timedelta | None:
    if not config.syncs_by_itself:
        return None
    if config.auto_sync_frequency == SyncFrequency.CUSTOM:
        return timedelta(minutes=config.sync_interval_minutes)
    return INTERVALS.get(config.auto_sync_frequency)


def check_connections(now: datetime) -> Check:
    completed = Q(
        sync_logs__status__in=(SyncStatus.SUCCESS, SyncStatus.PARTIAL),
        sync_logs__dry_run=False,
    ) & ~Q(sync_logs__sync_type=SyncType.SELECTED)
    configs = (
        TwizzitConfig.objects.filter(sync_enabled=True)
        .exclude(auto_sync_frequency=SyncFrequency.MANUAL)
        .annotate(
            last_completed=Max("sync_logs__completed_at", filter=completed),
            first_run=Min("sync_logs__created_at"),
        )
        .only("organization_id", "sync_enabled", "auto_sync_frequency", "sync_interval_minutes")
        .order_by("pk")
    )
    watched, overdue = 0, []
    for config in configs:
        interval = interval_of(config)
        if interval is None:
            continue
        watched += 1
        # Never completed: judged from its first run (a new connection not yet run is not late).
        since = config.last_completed or config.first_run
        if since is None or now - since <= 2 * interval + SYNC_GRACE:
            continue
        overdue.append(
            {
                "connection": config.pk,
                "organization_id": config.organization_id,
                "schedule": config.auto_sync_frequency,
                "last_completed_sync": config.last_completed.isoformat()
                if config.last_completed
                else None,
            }
        )
    if overdue:
        names = ", ".join(f"#{item['connection']}" for item in overdue)
        return Check(
            "connections",
            False,
            f"{len(overdue)} of {watched} scheduled connection(s) overdue: {names}",
            overdue,
        )
    return Check("connections", True, f"{watched} scheduled connection(s) on time")
