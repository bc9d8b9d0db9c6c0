"""`/health/` tells a load balancer and a person what is wrong, without a secret in it.

The checks read the real test database; the workers' check is shown against real
qcluster processes (`twizzit_health` in a subprocess sharing their cluster name), the
load balancer's view of it in tests/test_production_start.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import Schedule, Task

from tests.conftest import CLUB_PASSWORD
from tests.test_workers import jobs  # noqa: F401 (a fixture)
from twizzit.connection.schedules import JANITOR_SCHEDULE, ensure_janitor_schedule
from twizzit.models import SyncFrequency, SyncLog, SyncStatus, SyncTrigger, SyncType
from twizzit.services.connections import create_connection
from twizzit.services.health import WORKER_HEARTBEAT_SECONDS


def janitor_on_time() -> Schedule:
    """The janitor's schedule as a running scheduler keeps it: due in a few minutes.

    (The row `migrate` made for the test database may be older than the grace by now.)
    """
    schedule = ensure_janitor_schedule()
    Schedule.objects.filter(pk=schedule.pk).update(next_run=timezone.now() + timedelta(minutes=4))
    return schedule


def get(client, *checks):
    query = "&".join(f"check={name}" for name in checks)
    return client.get(f"/health/?{query}" if query else "/health/")


def finished_run(config, *, hours_ago: float, status=SyncStatus.SUCCESS, **fields):
    at = timezone.now() - timedelta(hours=hours_ago)
    log = SyncLog.objects.create(
        config=config,
        sync_type=fields.pop("sync_type", SyncType.FULL),
        trigger=SyncTrigger.SCHEDULE,
        status=status,
        completed_at=at,
        **fields,
    )
    SyncLog.objects.filter(pk=log.pk).update(created_at=at)
    return log


@pytest.mark.django_db
def test_without_a_worker_health_is_503_naming_the_workers_and_how_to_start_them(client):
    janitor_on_time()
    response = get(client)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["failing"] == ["workers"]
    assert "start bin/worker" in body["checks"]["workers"]["detail"]
    assert body["checks"]["database"] == {"ok": True, "detail": "reachable"}
    assert body["checks"]["broker"]["ok"] is True


@pytest.mark.django_db
def test_the_database_and_broker_alone_are_200_for_the_containers_probe(client):
    response = get(client, "database", "broker")
    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"database", "broker"}


@pytest.mark.django_db
def test_an_unknown_check_is_a_400_that_lists_the_known_ones(client):
    response = get(client, "disk")
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "Unknown check: disk. Known checks: database, broker, workers, janitor, connections."
    )


@pytest.mark.django_db
def test_a_missing_janitor_schedule_fails_and_says_to_migrate(client):
    Schedule.objects.filter(name=JANITOR_SCHEDULE).delete()
    response = get(client, "janitor")
    assert response.status_code == 503
    assert response.json()["checks"]["janitor"]["detail"] == "no schedule: run bin/migrate"


@pytest.mark.django_db
def test_a_janitor_overdue_for_ten_minutes_means_no_scheduler_runs(client):
    schedule = ensure_janitor_schedule()
    Schedule.objects.filter(pk=schedule.pk).update(next_run=timezone.now() - timedelta(minutes=10))
    response = get(client, "janitor")
    assert response.status_code == 503
    assert "no scheduler is running" in response.json()["checks"]["janitor"]["detail"]


@pytest.mark.django_db
def test_the_janitors_last_run_shows_and_a_failed_one_fails_the_check(client):
    schedule = janitor_on_time()
    stopped = timezone.now() - timedelta(minutes=1)
    task = Task.objects.create(
        id="a" * 32,
        name="janitor-run",
        func="twizzit.tasks.janitor",
        started=stopped,
        stopped=stopped,
        success=True,
    )
    Schedule.objects.filter(pk=schedule.pk).update(task=task.id)
    ok = get(client, "janitor")
    assert ok.status_code == 200
    assert f"last run {stopped:%Y-%m-%d %H:%M} UTC" in ok.json()["checks"]["janitor"]["detail"]

    Task.objects.filter(pk=task.pk).update(success=False)
    failed = get(client, "janitor")
    assert failed.status_code == 503
    assert "its last run failed" in failed.json()["checks"]["janitor"]["detail"]


@pytest.mark.django_db
def test_an_hourly_connection_without_a_completed_sync_for_three_hours_is_named(client, config):
    config.auto_sync_frequency = SyncFrequency.HOURLY
    config.save()
    finished_run(config, hours_ago=3)
    finished_run(config, hours_ago=0.5, status=SyncStatus.FAILED)
    # Neither a preview nor a few selected records count as the schedule's sync.
    finished_run(config, hours_ago=0.2, dry_run=True)
    finished_run(config, hours_ago=0.1, sync_type=SyncType.SELECTED)

    response = get(client, "connections")

    assert response.status_code == 503
    check = response.json()["checks"]["connections"]
    assert check["detail"] == f"1 of 1 scheduled connection(s) overdue: #{config.pk}"
    [item] = check["items"]
    assert item["connection"] == config.pk
    assert item["organization_id"] == config.organization_id
    assert item["schedule"] == "hourly"
    # An unauthenticated page: no organisation name, no account, no password.
    assert config.organization_name not in response.content.decode()
    assert config.api_username not in response.content.decode()
    assert CLUB_PASSWORD not in response.content.decode()


@pytest.mark.django_db
def test_a_daily_connection_synced_three_hours_ago_and_a_manual_one_are_on_time(client, config):
    config.auto_sync_frequency = SyncFrequency.DAILY
    config.save()
    finished_run(config, hours_ago=3, status=SyncStatus.PARTIAL)

    response = get(client, "connections")

    assert response.status_code == 200
    assert response.json()["checks"]["connections"]["detail"] == (
        "1 scheduled connection(s) on time"
    )


@pytest.mark.django_db
def test_a_new_scheduled_connection_that_never_ran_is_not_late_yet(client, config):
    config.auto_sync_frequency = SyncFrequency.HOURLY
    config.save()
    assert get(client, "connections").status_code == 200


@pytest.mark.django_db
def test_a_poll_costs_four_queries_however_many_connections_there_are(
    client, django_assert_max_num_queries
):
    janitor_on_time()
    for org in range(5):
        config = create_connection(
            password=CLUB_PASSWORD,
            organization_id=5000 + org,
            organization_name=f"Club {org}",
            api_base_url="https://app.twizzit.com",
            api_username="club-api",
            auto_sync_frequency=SyncFrequency.HOURLY,
        )
        finished_run(config, hours_ago=1)
    # SELECT 1, the janitor's schedule, the connections with their last runs; (the last
    # janitor task once it ran). The workers' heartbeat is read from the broker or cache.
    with django_assert_max_num_queries(4):
        response = get(client, "database", "broker", "janitor", "connections")
    assert response.status_code == 200


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_health_command_sees_a_running_cluster_and_notices_it_killed(jobs):  # noqa: F811
    def workers():
        return jobs.manage("twizzit_health", "--check", "workers")

    before = workers()
    assert before.returncode == 1
    assert before.stdout.startswith("failing: workers (no worker cluster")

    cluster = jobs.start_cluster()
    jobs.wait_for(lambda: workers().returncode == 0, "the health command to see the cluster")
    assert "1 cluster alive, 2 worker processes" in workers().stdout

    cluster.kill()
    jobs.wait_for(
        lambda: workers().returncode == 1,
        "the health command to notice the killed cluster",
        timeout=WORKER_HEARTBEAT_SECONDS + 5,
    )
