"""Each connection's automatic sync as a django-q2 Schedule that follows the connection."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import Schedule

from twizzit.connection import schedules
from twizzit.models import SyncFrequency
from twizzit.services.connections import create_connection, delete_connection, update_connection


def schedule_of(config) -> Schedule | None:
    return Schedule.objects.filter(name=f"twizzit-sync-{config.pk}").first()


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def another_connection(**fields):
    return create_connection(
        password="pass",
        organization_id=5151,
        organization_name="KC Gent",
        api_username="gent",
        **fields,
    )


@pytest.fixture
def brussels(settings, monkeypatch):
    """The scheduler zone of a Belgian deployment, in our settings and django-q2's."""
    settings.SCHEDULER_TIMEZONE = "Europe/Brussels"
    monkeypatch.setattr(Conf, "TIME_ZONE", "Europe/Brussels")


# --- the schedule follows the connection ----------------------------------------------------
@pytest.mark.django_db
def test_a_new_daily_connection_gets_a_schedule_that_syncs_it_at_two(config):
    schedule = schedule_of(config)

    assert schedule.func == "twizzit.tasks.scheduled_sync"
    assert schedule.args == repr(config.pk)
    assert (schedule.schedule_type, schedule.cron) == (Schedule.CRON, "0 2 * * *")
    assert schedule.repeats == -1
    assert schedule.next_run > timezone.now()
    assert (schedule.next_run.hour, schedule.next_run.minute) == (2, 0)  # UTC in tests
    assert schedule.next_run - timezone.now() <= timedelta(days=1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("frequency", "cron"),
    [
        (SyncFrequency.HOURLY, "0 * * * *"),
        (SyncFrequency.DAILY, "0 2 * * *"),
        (SyncFrequency.WEEKLY, "0 2 * * 0"),
    ],
)
def test_each_frequency_has_its_cron(config, frequency, cron):
    update_connection(config, auto_sync_frequency=frequency)

    assert schedule_of(config).cron == cron


@pytest.mark.django_db
def test_every_n_minutes_is_a_minutes_schedule_first_due_after_n_minutes(config):
    before = timezone.now()
    update_connection(config, auto_sync_frequency=SyncFrequency.CUSTOM, sync_interval_minutes=45)
    after = timezone.now()

    schedule = schedule_of(config)
    assert (schedule.schedule_type, schedule.minutes, schedule.cron) == (
        Schedule.MINUTES,
        45,
        None,
    )
    assert before + timedelta(minutes=45) <= schedule.next_run <= after + timedelta(minutes=45)


@pytest.mark.django_db
def test_changing_the_frequency_changes_the_same_schedule(config):
    daily = schedule_of(config)

    update_connection(config, auto_sync_frequency=SyncFrequency.WEEKLY)

    weekly = schedule_of(config)
    assert weekly.pk == daily.pk
    assert weekly.cron == "0 2 * * 0"
    assert weekly.next_run.weekday() == 6  # Sunday
    assert Schedule.objects.filter(name__startswith="twizzit-sync-").count() == 1


@pytest.mark.django_db
def test_saving_a_connection_for_another_reason_keeps_the_next_run(config):
    later = timezone.now() + timedelta(days=3)
    Schedule.objects.filter(name=f"twizzit-sync-{config.pk}").update(next_run=later)

    update_connection(config, organization_name="KC Antwerpen-Noord", monthly_call_limit=900)

    assert schedule_of(config).next_run == later


@pytest.mark.django_db
def test_refreshing_the_cached_token_does_not_touch_the_schedule(config):
    Schedule.objects.filter(name=f"twizzit-sync-{config.pk}").delete()

    config.set_token("fresh-token", timezone.now() + timedelta(hours=1))
    config.save(update_fields=["api_token_encrypted", "api_token_expires_at"])

    assert schedule_of(config) is None


@pytest.mark.django_db
def test_disabling_sync_removes_the_schedule_and_enabling_brings_it_back(config):
    update_connection(config, sync_enabled=False)
    assert schedule_of(config) is None

    update_connection(config, sync_enabled=True)
    assert schedule_of(config).cron == "0 2 * * *"


@pytest.mark.django_db
def test_a_manual_connection_has_no_schedule(config):
    update_connection(config, auto_sync_frequency=SyncFrequency.MANUAL)

    assert schedule_of(config) is None


@pytest.mark.django_db
def test_every_n_minutes_without_n_is_refused_and_the_schedule_stays(config):
    before = schedule_of(config)
    with pytest.raises(ValidationError) as excinfo:
        update_connection(
            config, auto_sync_frequency=SyncFrequency.CUSTOM, sync_interval_minutes=None
        )

    assert "sync_interval_minutes" in excinfo.value.message_dict
    config.refresh_from_db()
    assert config.auto_sync_frequency != SyncFrequency.CUSTOM
    assert schedule_of(config).cron == before.cron


@pytest.mark.django_db
def test_deleting_a_connection_removes_only_its_schedule(config):
    other = another_connection(auto_sync_frequency=SyncFrequency.HOURLY)
    pk = config.pk

    delete_connection(config)

    assert not Schedule.objects.filter(name=f"twizzit-sync-{pk}").exists()
    assert schedule_of(other).cron == "0 * * * *"


@pytest.mark.django_db
def test_migrate_repairs_schedules_and_drops_those_of_removed_connections(config):
    Schedule.objects.filter(name=f"twizzit-sync-{config.pk}").delete()
    Schedule.objects.create(name="twizzit-sync-999999", func=schedules.SYNC_TASK, args="999999")
    Schedule.objects.filter(name="twizzit-janitor").delete()

    call_command("migrate", verbosity=0)

    assert schedule_of(config).cron == "0 2 * * *"
    assert not Schedule.objects.filter(name="twizzit-sync-999999").exists()
    janitor = Schedule.objects.get(name="twizzit-janitor")
    assert (janitor.func, janitor.schedule_type, janitor.minutes) == (
        "twizzit.tasks.janitor",
        Schedule.MINUTES,
        5,
    )


@pytest.mark.django_db
def test_emptying_the_database_adds_no_schedules():
    Schedule.objects.all().delete()

    call_command("flush", interactive=False, verbosity=0)

    assert not Schedule.objects.exists()


@pytest.mark.django_db
def test_connection_schedules_are_listed_in_the_django_q_admin(client, admin_user, config):
    client.force_login(admin_user)

    response = client.get("/admin/django_q/schedule/")

    assert response.status_code == 200
    assert f"twizzit-sync-{config.pk}" in response.content.decode()


# --- the scheduler's time zone ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("now", "first_run"),
    [
        (utc(2025, 1, 10, 12), utc(2025, 1, 11, 1)),  # 02:00 CET
        (utc(2025, 7, 10, 12), utc(2025, 7, 11, 0)),  # 02:00 CEST
        (utc(2025, 1, 11, 0, 59), utc(2025, 1, 11, 1)),  # still before 02:00 in Brussels
    ],
)
def test_daily_runs_at_two_in_the_scheduler_time_zone(brussels, now, first_run):
    assert schedules.Timing(cron="0 2 * * *").first_run(now) == first_run


def test_the_weekly_run_of_the_spring_forward_sunday_is_not_skipped(brussels):
    # 2025-03-30 has no 02:00 in Brussels (clocks jump from 02:00 to 03:00): it runs at 03:00.
    assert schedules.Timing(cron="0 2 * * 0").first_run(utc(2025, 3, 29, 12)) == utc(2025, 3, 30, 1)


@pytest.mark.django_db
def test_a_new_schedule_is_due_at_two_in_the_scheduler_zone(brussels, config):
    update_connection(config, auto_sync_frequency=SyncFrequency.WEEKLY)

    local = timezone.localtime(schedule_of(config).next_run, schedules.scheduler_zone())
    assert (local.weekday(), local.hour, local.minute) == (6, 2, 0)


@pytest.mark.django_db
def test_django_q_computes_the_runs_after_the_first_in_the_same_zone(brussels, config):
    schedule = schedule_of(config)

    after_a_run = schedule.calculate_next_run()

    assert after_a_run == schedules.Timing(cron="0 2 * * *").first_run(timezone.now())
    assert timezone.localtime(after_a_run, schedules.scheduler_zone()).hour == 2


def test_a_scheduler_zone_django_q_does_not_use_is_reported(settings, monkeypatch):
    settings.SCHEDULER_TIMEZONE = "Europe/Brussels"
    monkeypatch.setattr(Conf, "TIME_ZONE", "UTC")

    warnings = schedules.check_scheduler_timezone()

    assert [w.id for w in warnings] == ["twizzit.W001"]
    assert 'Q_CLUSTER["time_zone"]' in warnings[0].hint


def test_matching_zones_raise_no_warning(brussels):
    assert schedules.check_scheduler_timezone() == []


@pytest.mark.django_db
def test_a_schedule_edited_by_hand_is_put_back_on_the_connections_next_change(config):
    Schedule.objects.filter(name=f"twizzit-sync-{config.pk}").update(cron="*/5 * * * *")

    update_connection(config, auto_sync_frequency=SyncFrequency.DAILY, sync_enabled=True)

    assert schedule_of(config).cron == "0 2 * * *"
