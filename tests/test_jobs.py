"""Handing syncs to workers, scheduled syncs and their lane, and the janitor — in-process.

The same tasks run by real qcluster workers are in tests/test_workers.py.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.conf import Conf

from tests.sandbox import connect
from twizzit import tasks
from twizzit.models import (
    ApiUsage,
    ConflictType,
    EntityType,
    PlayerMapping,
    Resolution,
    SyncConflict,
    SyncLog,
    SyncStatus,
    SyncTrigger,
    TwizzitConfig,
)
from twizzit.models.usage import month_of, next_month, today
from twizzit.services import jobs
from twizzit.services.connections import create_connection
from twizzit.sync.runs import INTERRUPTED, NEVER_STARTED, claim, create_run, release

ANOTHER_ORG = 2002  # the sandbox refuses it (403): a connection whose syncs fail


@pytest.fixture
def refused_config(db, sandbox):
    """A connection to an organisation the sandbox account may not read."""
    return connect(sandbox, organization_id=ANOTHER_ORG, organization_name="KC Elders")


@pytest.fixture
def inline_tasks(monkeypatch):
    """Tasks handed on with async_task run at once in this process (django-q2 sync mode)."""
    monkeypatch.setattr(Conf, "SYNC", True)


def no_calls_to(sandbox) -> bool:
    return sum(sandbox.state.calls().values()) == 0


def spend_whole_quota(config):
    ApiUsage.objects.create(config=config, month=month_of(today()), calls=config.monthly_call_limit)


def hold_lane(config):
    """A scheduled run of `config` that a worker is running right now."""
    log = create_run(config, "full", dry_run=False, trigger=SyncTrigger.SCHEDULE, user=None)
    assert claim(config, log)
    return log


def finish(config, log):
    SyncLog.objects.filter(pk=log.pk).update(status=SyncStatus.SUCCESS, completed_at=timezone.now())
    release(config, log, completed=True)


# --- enqueueing -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_second_sync_request_is_refused_while_the_first_waits(sandbox_config):
    first = jobs.enqueue_sync(sandbox_config, trigger=SyncTrigger.API)

    with pytest.raises(jobs.SyncInProgress, match=f"sync #{first.pk}, pending"):
        jobs.enqueue_sync(sandbox_config, trigger=SyncTrigger.API)

    assert list(SyncLog.objects.values_list("status", flat=True)) == ["pending"]


@pytest.mark.django_db
def test_no_sync_is_enqueued_when_the_month_is_spent(sandbox_config):
    spend_whole_quota(sandbox_config)

    with pytest.raises(jobs.QuotaExhausted, match="monthly Twizzit call limit"):
        jobs.enqueue_sync(sandbox_config, trigger=SyncTrigger.API)

    assert not SyncLog.objects.exists()


@pytest.mark.django_db
def test_a_second_delivery_of_a_running_syncs_task_leaves_that_sync_running(sandbox_config):
    log = create_run(sandbox_config, "full", dry_run=False, trigger="api", user=None)
    assert claim(sandbox_config, log)  # a worker is running it

    tasks.run_sync_task(log.pk)  # the broker hands the same task to another worker

    log.refresh_from_db()
    sandbox_config.refresh_from_db()
    assert log.status == "running"
    assert sandbox_config.running_sync_id == log.pk


# --- scheduled syncs ------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_due_schedule_runs_a_full_sync_marked_as_scheduled(sandbox, sandbox_config):
    result = tasks.scheduled_sync(sandbox_config.pk)

    log = SyncLog.objects.get(pk=result["id"])
    assert (log.status, log.trigger, log.sync_type) == ("success", "schedule", "full")
    assert log.stats["players"]["created"] == len(sandbox.state.contacts)
    assert PlayerMapping.objects.filter(config=sandbox_config).count() == len(
        sandbox.state.contacts
    )


@pytest.mark.django_db
def test_a_schedule_of_a_disabled_connection_records_why_it_did_not_sync(sandbox, sandbox_config):
    TwizzitConfig.objects.filter(pk=sandbox_config.pk).update(sync_enabled=False)

    result = tasks.scheduled_sync(sandbox_config.pk)

    log = SyncLog.objects.get(pk=result["id"])
    assert (log.status, log.trigger) == ("cancelled", "schedule")
    assert log.message == "Skipped: sync is disabled."
    assert no_calls_to(sandbox)


@pytest.mark.django_db
def test_a_schedule_skips_a_connection_whose_sync_is_still_running(sandbox, sandbox_config):
    manual = create_run(sandbox_config, "players", dry_run=False, trigger="api", user=None)
    assert claim(sandbox_config, manual)

    result = tasks.scheduled_sync(sandbox_config.pk)

    skipped = SyncLog.objects.get(pk=result["id"])
    assert skipped.status == "cancelled"
    assert skipped.message == f"Skipped: sync #{manual.pk} of this connection was still running."
    manual.refresh_from_db()
    assert manual.status == "running"
    assert no_calls_to(sandbox)


@pytest.mark.django_db
def test_a_schedule_pauses_without_calling_twizzit_when_the_month_is_spent(sandbox, sandbox_config):
    spend_whole_quota(sandbox_config)

    result = tasks.scheduled_sync(sandbox_config.pk)

    log = SyncLog.objects.get(pk=result["id"])
    assert log.status == "cancelled"
    renews = next_month(month_of(today()))
    assert log.message.startswith(
        f"Paused until {renews:%Y-%m-%d}: The monthly Twizzit call limit of KBKB"
    )
    assert no_calls_to(sandbox)


@pytest.mark.django_db
def test_a_schedule_of_a_removed_connection_does_nothing(db):
    assert tasks.scheduled_sync(987654) is None
    assert not SyncLog.objects.exists()


# --- the scheduled lane -----------------------------------------------------------------------
@pytest.mark.django_db
def test_a_connection_due_while_another_scheduled_sync_runs_waits_its_turn(
    sandbox, sandbox_config, refused_config
):
    running = hold_lane(refused_config)

    result = tasks.scheduled_sync(sandbox_config.pk)

    waiting = SyncLog.objects.get(pk=result["id"])
    assert waiting.status == "pending"
    assert no_calls_to(sandbox)

    finish(refused_config, running)
    tasks.run_next_scheduled_sync()

    waiting.refresh_from_db()
    assert waiting.status == "success"


@pytest.mark.django_db
def test_the_lane_is_not_taken_twice(sandbox, sandbox_config, refused_config):
    hold_lane(refused_config)
    jobs.queue_scheduled_run(sandbox_config)

    assert tasks.run_next_scheduled_sync() is None
    assert SyncLog.objects.get(config=sandbox_config).status == "pending"


@pytest.mark.django_db
def test_connections_due_together_run_in_turn_and_a_failure_does_not_stop_the_next(
    inline_tasks, sandbox, sandbox_config, refused_config
):
    third = connect(sandbox, organization_id=ANOTHER_ORG + 1, organization_name="KC Third")
    running = hold_lane(third)
    refused = tasks.scheduled_sync(refused_config.pk)
    fine = tasks.scheduled_sync(sandbox_config.pk)
    assert (refused["status"], fine["status"]) == ("pending", "pending")

    finish(third, running)
    tasks.run_next_scheduled_sync()  # runs the first queued, which hands the lane on

    refused_log = SyncLog.objects.get(pk=refused["id"])
    fine_log = SyncLog.objects.get(pk=fine["id"])
    assert refused_log.status == "failed"
    assert "2002" in refused_log.message
    assert fine_log.status == "success"
    assert refused_log.completed_at <= fine_log.started_at


@pytest.mark.django_db
def test_a_lane_whose_worker_died_is_taken_over_once_its_lease_ran_out(
    sandbox, sandbox_config, refused_config
):
    dead = hold_lane(refused_config)
    jobs.queue_scheduled_run(sandbox_config)
    assert jobs.lane_is_busy()

    TwizzitConfig.objects.filter(pk=refused_config.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    log = jobs.run_next_scheduled_sync()

    assert log.config_id == sandbox_config.pk
    assert log.status == "success"
    dead.refresh_from_db()
    assert dead.status == "running"  # the janitor fails it once its heartbeat is stale


# --- the janitor ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_janitor_fails_a_run_whose_worker_stopped_and_frees_the_connection(settings, config):
    settings.TWIZZIT_SYNC_LEASE_SECONDS = 60
    log = create_run(config, "full", dry_run=False, trigger="api", user=None)
    assert claim(config, log)
    SyncLog.objects.filter(pk=log.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=61))

    assert tasks.janitor()["interrupted"] == 1

    log.refresh_from_db()
    config.refresh_from_db()
    assert (log.status, log.message) == ("failed", INTERRUPTED)
    assert config.running_sync is None
    jobs.enqueue_sync(config, trigger=SyncTrigger.API)  # the connection can sync again


@pytest.mark.django_db
def test_the_janitor_leaves_a_run_with_a_fresh_heartbeat_alone(settings, config):
    settings.TWIZZIT_SYNC_LEASE_SECONDS = 60
    log = create_run(config, "full", dry_run=False, trigger="api", user=None)
    assert claim(config, log)
    SyncLog.objects.filter(pk=log.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=50))

    assert tasks.janitor()["interrupted"] == 0

    log.refresh_from_db()
    assert log.status == "running"


@pytest.mark.django_db
def test_the_janitor_fails_a_run_no_worker_picked_up_for_hours(config):
    log = create_run(config, "full", dry_run=False, trigger="api", user=None)
    recent = create_run(connect_other(config), "full", dry_run=False, trigger="api", user=None)
    SyncLog.objects.filter(pk=log.pk).update(
        created_at=timezone.now() - jobs.UNSTARTED_MAX_AGE - timedelta(minutes=1)
    )

    assert tasks.janitor()["never_started"] == 1

    log.refresh_from_db()
    recent.refresh_from_db()
    assert (log.status, log.message) == ("failed", NEVER_STARTED)
    assert recent.status == "pending"


@pytest.mark.django_db
def test_the_janitor_restarts_a_lane_left_with_queued_runs(
    inline_tasks, sandbox, sandbox_config, refused_config
):
    dead = hold_lane(refused_config)
    queued = jobs.queue_scheduled_run(sandbox_config)
    assert tasks.janitor()["lane_restarted"] is False  # the lane's lease is still alive

    TwizzitConfig.objects.filter(pk=refused_config.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert tasks.janitor()["lane_restarted"] is True

    queued.refresh_from_db()
    assert queued.status == "success"
    dead.refresh_from_db()
    assert dead.status == "running"


def connect_other(config):
    return create_connection(
        password="other-pass",
        organization_id=config.organization_id + 1,
        organization_name="KC Other",
        api_username="other",
    )


# --- bulk conflict resolution ----------------------------------------------------------------
@pytest.mark.django_db
def test_bulk_resolution_task_resolves_what_it_can_and_reports_the_rest(config, admin_user):
    conflicts = [
        SyncConflict.objects.create(
            config=config,
            entity_type=EntityType.PLAYER,
            twizzit_id=twizzit_id,
            conflict_type=ConflictType.DELETED_IN_TWIZZIT,
        )
        for twizzit_id in (1, 2)
    ]
    decided = SyncConflict.objects.create(
        config=config,
        entity_type=EntityType.PLAYER,
        twizzit_id=3,
        conflict_type=ConflictType.DELETED_IN_TWIZZIT,
        resolution=Resolution.TWIZZIT_WINS,
    )

    result = tasks.resolve_conflicts_task(
        [c.pk for c in conflicts] + [decided.pk], Resolution.IGNORED, admin_user.pk
    )

    assert sorted(result["resolved"]) == sorted(c.pk for c in conflicts)
    assert [failure["id"] for failure in result["failed"]] == [decided.pk]
    for conflict in conflicts:
        conflict.refresh_from_db()
        assert conflict.resolution == "ignored"
        assert conflict.resolved_by == admin_user
