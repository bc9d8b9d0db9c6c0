"""Automatic syncs: each connection's frequency kept in step with a django-q2 Schedule.

A connection that syncs by itself has exactly one django-q2 `Schedule`, named
`twizzit-sync-<connection pk>` and calling `twizzit.tasks.scheduled_sync(<pk>)`:

    hourly   cron "0 * * * *"   every hour on the hour
    daily    cron "0 2 * * *"   every day at 02:00
    weekly   cron "0 2 * * 0"   every Sunday at 02:00
    custom   every `sync_interval_minutes` minutes (a MINUTES schedule)
    manual, or sync disabled: no schedule

The receivers in `twizzit.signals` call `sync_schedule` whenever a connection is saved and
`remove_schedule` when it is deleted; after every `migrate`, `ensure_schedules` repairs
them all and adds the janitor's schedule. The rows are derived from the connections:
change the connection, not the schedule (a hand edit in the admin is undone by the
connection's next save).

Cron times are wall-clock times in settings.SCHEDULER_TIMEZONE. django-q2 1.x computes a
cron schedule's `next_run` as `croniter(cron, now in Q_CLUSTER["time_zone"])` (that zone
defaults to settings.TIME_ZONE), both when a new Schedule is first saved and after each
run. So `next_run` is computed here, in SCHEDULER_TIMEZONE, whenever a schedule is made
or changed, and the cluster must use the same zone for the runs after the first: the
`twizzit.W001` check warns when it does not.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter
from django.conf import settings
from django.core import checks
from django.db import transaction
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import Schedule

from twizzit.models import SyncFrequency, TwizzitConfig

logger = logging.getLogger(__name__)

SYNC_TASK = "twizzit.tasks.scheduled_sync"
SYNC_SCHEDULE_PREFIX = "twizzit-sync-"
CRON_BY_FREQUENCY = {
    SyncFrequency.HOURLY: "0 * * * *",
    SyncFrequency.DAILY: "0 2 * * *",
    SyncFrequency.WEEKLY: "0 2 * * 0",
}
# The connection fields a schedule is derived from: a save that touches none of them
# (the token cache, last_sync_at, ...) leaves the schedule alone.
SCHEDULE_FIELDS = frozenset({"sync_enabled", "auto_sync_frequency", "sync_interval_minutes"})

JANITOR_TASK = "twizzit.tasks.janitor"
JANITOR_SCHEDULE = "twizzit-janitor"
JANITOR_EVERY_MINUTES = 5


@dataclass(frozen=True)
class Timing:
    """When a schedule fires: a cron expression, or every `minutes` minutes."""

    cron: str | None = None
    minutes: int | None = None

    @property
    def schedule_type(self) -> str:
        return Schedule.CRON if self.cron else Schedule.MINUTES

    def first_run(self, now: datetime) -> datetime:
        """The first time after `now` this timing fires, cron read in SCHEDULER_TIMEZONE."""
        if self.cron:
            local_now = timezone.localtime(now, scheduler_zone())
            return croniter(self.cron, local_now).get_next(datetime)
        return now + timedelta(minutes=self.minutes)

    def matches(self, schedule: Schedule) -> bool:
        if self.cron:
            return schedule.schedule_type == Schedule.CRON and schedule.cron == self.cron
        return schedule.schedule_type == Schedule.MINUTES and schedule.minutes == self.minutes


def scheduler_zone() -> ZoneInfo:
    return ZoneInfo(settings.SCHEDULER_TIMEZONE)


def schedule_name(config_pk: int) -> str:
    return f"{SYNC_SCHEDULE_PREFIX}{config_pk}"


def timing_for(config: TwizzitConfig) -> Timing | None:
    """How often `config` syncs by itself; None when it only syncs on request."""
    if not config.sync_enabled:
        return None
    frequency = config.auto_sync_frequency
    if frequency in CRON_BY_FREQUENCY:
        return Timing(cron=CRON_BY_FREQUENCY[frequency])
    if frequency == SyncFrequency.CUSTOM:
        if config.sync_interval_minutes:
            return Timing(minutes=config.sync_interval_minutes)
        logger.warning(
            "Connection %s syncs 'every N minutes' but has no interval; it has no schedule "
            "until sync_interval_minutes is set.",
            config,
        )
    return None


def sync_schedule(config: TwizzitConfig) -> Schedule | None:
    """Create, change or remove `config`'s schedule so it matches the connection."""
    timing = timing_for(config)
    name = schedule_name(config.pk)
    with transaction.atomic():
        existing = list(Schedule.objects.select_for_update().filter(name=name).order_by("pk"))
        if timing is None:
            Schedule.objects.filter(name=name).delete()
            return None
        schedule, duplicates = (existing[0], existing[1:]) if existing else (None, [])
        for duplicate in duplicates:
            duplicate.delete()
        if schedule is not None and timing.matches(schedule) and schedule.repeats != 0:
            return schedule  # unchanged: keep its next_run
        schedule = schedule or Schedule(name=name)
        schedule.func = SYNC_TASK
        schedule.args = repr(config.pk)
        schedule.kwargs = None
        schedule.schedule_type = timing.schedule_type
        schedule.cron = timing.cron
        schedule.minutes = timing.minutes
        schedule.repeats = -1
        schedule.save()
        # Set after save(): django-q2 recomputes a new cron schedule's next_run on its
        # first save, in its own time zone.
        schedule.next_run = timing.first_run(timezone.now())
        Schedule.objects.filter(pk=schedule.pk).update(next_run=schedule.next_run)
    return schedule


def remove_schedule(config_pk: int) -> int:
    """Remove a (deleted) connection's schedule; returns how many rows went."""
    deleted, _ = Schedule.objects.filter(name=schedule_name(config_pk)).delete()
    return deleted


def next_run_of(config: TwizzitConfig) -> datetime | None:
    """When `config`'s schedule fires next, or None when it has none."""
    return (
        Schedule.objects.filter(name=schedule_name(config.pk))
        .exclude(repeats=0)
        .values_list("next_run", flat=True)
        .first()
    )


def ensure_janitor_schedule() -> Schedule:
    """The janitor runs every few minutes: reaps dead runs, restarts the scheduled lane."""
    schedule, _ = Schedule.objects.update_or_create(
        name=JANITOR_SCHEDULE,
        defaults={
            "func": JANITOR_TASK,
            "schedule_type": Schedule.MINUTES,
            "minutes": JANITOR_EVERY_MINUTES,
            "repeats": -1,
        },
    )
    return schedule


def ensure_schedules() -> None:
    """Bring every schedule in line: one per auto-syncing connection, none for the rest."""
    ensure_janitor_schedule()
    configs = list(TwizzitConfig.objects.all())
    for config in configs:
        sync_schedule(config)
    known = {schedule_name(config.pk) for config in configs}
    Schedule.objects.filter(name__startswith=SYNC_SCHEDULE_PREFIX).exclude(name__in=known).delete()


@checks.register(checks.Tags.compatibility)
def check_scheduler_timezone(app_configs=None, **kwargs):
    """Cron schedules drift after their first run if django-q2 reads them in another zone."""
    if Conf.TIME_ZONE in (None, settings.SCHEDULER_TIMEZONE):
        return []
    return [
        checks.Warning(
            f"django-q2 computes cron schedules in {Conf.TIME_ZONE} but SCHEDULER_TIMEZONE "
            f"is {settings.SCHEDULER_TIMEZONE}: after their first run, automatic syncs "
            f"would fire at {Conf.TIME_ZONE} times.",
            hint='Set Q_CLUSTER["time_zone"] = SCHEDULER_TIMEZONE in the settings.',
            id="twizzit.W001",
        )
    ]
