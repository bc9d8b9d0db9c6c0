"""Starting, following and cancelling syncs over the API, and reading their logs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shotspot.models import Player
from tests.api.conftest import run_task, take_queued_tasks
from tests.api.data import sync_log
from twizzit.models import ApiUsage, SyncLog, SyncStatus, SyncTrigger
from twizzit.models.usage import month_of, today


def sync_url(config):
    return f"/api/twizzit/connections/{config.pk}/sync/"


def test_a_sync_is_queued_and_answered_at_once_with_its_pending_log(
    coach_api, coach, sandbox_config, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = coach_api.post(sync_url(sandbox_config), {"type": "players", "dry_run": True})
    assert response.status_code == 202
    data = response.json()
    assert (data["status"], data["sync_type"], data["dry_run"]) == ("pending", "players", True)
    assert (data["trigger"], data["triggered_by"]) == ("api", "cora-coach")
    assert response["Location"].endswith(f"/api/twizzit/sync-logs/{data['id']}/")
    log = SyncLog.objects.get(pk=data["id"])
    assert (log.trigger, log.triggered_by) == (SyncTrigger.API, coach)
    [task] = take_queued_tasks()
    assert (task["func"], task["args"]) == ("twizzit.tasks.run_sync_task", (log.pk,))


def test_a_queued_sync_runs_and_the_status_follows_it_to_the_end(
    admin_api, sandbox, sandbox_config, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        log_id = admin_api.post(sync_url(sandbox_config), {"type": "players"}).json()["id"]
    status_url = f"/api/twizzit/connections/{sandbox_config.pk}/status/"
    waiting = admin_api.get(status_url).json()
    assert (waiting["running"]["id"], waiting["running"]["status"]) == (log_id, "pending")

    [task] = take_queued_tasks()
    run_task(task)  # what a worker does with it

    done = admin_api.get(status_url).json()
    assert done["running"] is None
    assert (done["last_sync"]["id"], done["last_sync"]["status"]) == (log_id, "success")
    assert done["api_usage"]["calls"] > 0
    assert done["refused_players"] == 0  # the default sandbox's values are all acceptable
    assert Player.objects.count() == len(sandbox.state.contacts)
    log = admin_api.get(f"/api/twizzit/sync-logs/{log_id}/").json()
    assert log["stats"]["players"]["created"] == len(sandbox.state.contacts)


def test_a_second_sync_while_one_waits_is_refused_with_the_one_that_waits(
    admin_api, sandbox_config
):
    first = admin_api.post(sync_url(sandbox_config), {"type": "full"}).json()
    response = admin_api.post(sync_url(sandbox_config), {"type": "players"})
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["sync_log"]) == ("sync_in_progress", first["id"])
    assert "already in progress" in body["detail"]
    assert SyncLog.objects.count() == 1


def test_a_sync_when_the_months_calls_are_spent_is_refused_until_the_quota_renews(
    admin_api, sandbox_config
):
    ApiUsage.objects.create(
        config=sandbox_config,
        month=month_of(today()),
        calls=sandbox_config.monthly_call_limit,
    )
    response = admin_api.post(sync_url(sandbox_config), {"type": "full"})
    assert response.status_code == 429
    assert response.json()["code"] == "quota_exhausted"
    assert "monthly Twizzit call limit" in response.json()["detail"]
    assert 0 < int(response["Retry-After"]) <= 31 * 24 * 3600
    assert not SyncLog.objects.exists()


def test_an_unknown_sync_type_is_refused(admin_api, sandbox_config):
    response = admin_api.post(sync_url(sandbox_config), {"type": "everything"})
    assert response.status_code == 400
    assert "type" in response.json()["errors"]
    assert not SyncLog.objects.exists()


def test_a_sync_without_a_body_is_a_full_one(admin_api, sandbox_config):
    response = admin_api.post(sync_url(sandbox_config))
    assert response.status_code == 202
    assert (response.json()["sync_type"], response.json()["dry_run"]) == ("full", False)


# --- logs -------------------------------------------------------------------------------


@pytest.fixture
def logs(config, sandbox_config):
    now = timezone.now()
    made = {
        "old_full": sync_log(config, status=SyncStatus.FAILED, message="Credentials refused."),
        "players": sync_log(config, sync_type="players", status=SyncStatus.PARTIAL),
        "other_org": sync_log(sandbox_config, sync_type="teams"),
    }
    SyncLog.objects.filter(pk=made["old_full"].pk).update(created_at=now - timedelta(days=10))
    return made


def ids_of(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"old_full", "players", "other_org"}),
        ("type=players", {"players"}),
        ("status=failed", {"old_full"}),
        ("type=full&status=success", set()),
    ],
)
def test_sync_logs_filter_by_type_and_status(coach_api, logs, query, expected):
    response = coach_api.get(f"/api/twizzit/sync-logs/?{query}")
    assert ids_of(response) == {logs[name].pk for name in expected}


def test_sync_logs_filter_by_connection_and_date_range(coach_api, logs, config):
    by_connection = coach_api.get(f"/api/twizzit/sync-logs/?connection={config.pk}")
    assert ids_of(by_connection) == {logs["old_full"].pk, logs["players"].pk}
    since = (timezone.now() - timedelta(days=1)).isoformat()
    recent = coach_api.get("/api/twizzit/sync-logs/", {"created_after": since})
    assert ids_of(recent) == {logs["players"].pk, logs["other_org"].pk}
    until = (timezone.now() - timedelta(days=5)).isoformat()
    older = coach_api.get("/api/twizzit/sync-logs/", {"created_before": until})
    assert ids_of(older) == {logs["old_full"].pk}


@pytest.mark.parametrize("query", ["status=done", "created_after=yesterday", "dry_run=maybe"])
def test_a_filter_value_that_means_nothing_is_an_error_not_ignored(coach_api, logs, query):
    response = coach_api.get(f"/api/twizzit/sync-logs/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()["detail"]


@pytest.mark.parametrize(
    "moment",
    [
        "0686-03-21T08:51:54-16:30",  # an offset PostgreSQL does not take: sent in UTC
        "2025-09-01T10:00:00+02:00",
    ],
)
def test_moments_with_any_utc_offset_are_understood(coach_api, logs, moment):
    response = coach_api.get("/api/twizzit/sync-logs/", {"created_before": moment})
    assert response.status_code == 200


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_moments_that_leave_the_calendar_in_utc_are_refused(coach_api, logs, moment):
    response = coach_api.get("/api/twizzit/sync-logs/", {"created_after": moment})
    assert response.status_code == 400
    assert response.json()["errors"] == {"created_after": ["This moment is out of range."]}


def test_a_log_shows_its_error_entries(coach_api, config):
    entries = [
        {"entity": "players", "twizzit_id": 17, "message": "No last name.", "level": "error"},
        {
            "entity": "rosters",
            "twizzit_id": None,
            "message": "Group 3 skipped.",
            "level": "warning",
        },
    ]
    log = sync_log(
        config,
        status=SyncStatus.PARTIAL,
        errors=entries,
        stats={"players": {"errors": 1, "created": 4}},
    )
    data = coach_api.get(f"/api/twizzit/sync-logs/{log.pk}/").json()
    assert data["errors"] == entries
    assert data["error_count"] == 1
    assert data["planned_changes"] == []


def test_a_dry_run_log_shows_the_changes_it_would_make(coach_api, config):
    planned = [
        {
            "entity": "players",
            "twizzit_id": 17,
            "action": "update",
            "label": "An Janssens",
            "changes": {"email": ["an@old.be", "an@new.be"]},
        }
    ]
    log = sync_log(config, dry_run=True, planned_changes=planned)
    data = coach_api.get(f"/api/twizzit/sync-logs/{log.pk}/").json()
    assert data["planned_changes"] == planned


def test_cancelling_a_pending_sync_cancels_it_at_once(coach_api, config):
    log = sync_log(config, status=SyncStatus.PENDING)
    response = coach_api.post(f"/api/twizzit/sync-logs/{log.pk}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    log.refresh_from_db()
    assert log.status == SyncStatus.CANCELLED


def test_cancelling_a_running_sync_asks_it_to_stop_at_its_next_page(coach_api, config):
    log = sync_log(config, status=SyncStatus.RUNNING)
    data = coach_api.post(f"/api/twizzit/sync-logs/{log.pk}/cancel/").json()
    assert (data["status"], data["cancel_requested"]) == ("running", True)


def test_cancelling_a_finished_sync_is_refused(coach_api, config):
    log = sync_log(config, status=SyncStatus.SUCCESS)
    response = coach_api.post(f"/api/twizzit/sync-logs/{log.pk}/cancel/")
    assert response.status_code == 409
    assert response.json()["code"] == "already_finished"
    log.refresh_from_db()
    assert (log.status, log.cancel_requested) == (SyncStatus.SUCCESS, False)


def test_a_connection_whose_sync_is_disabled_starts_nothing(admin_api, sandbox_config):
    sandbox_config.sync_enabled = False
    sandbox_config.save()
    response = admin_api.post(sync_url(sandbox_config), {"type": "full"})
    assert response.status_code == 409
    assert response.json()["code"] == "sync_disabled"
    assert not SyncLog.objects.exists()


def test_the_status_counts_players_whose_twizzit_values_were_refused(coach_api, make_sandbox):
    from tests.sandbox import connect
    from twizzit.sandbox.messy import KINDS
    from twizzit.sync import run_sync

    config = connect(make_sandbox(seed=1, contacts=300, groups=24, messy=True))
    run_sync(config)

    status = coach_api.get(f"/api/twizzit/connections/{config.pk}/status/").json()

    refusing = [kind for kind in KINDS if kind.outcome not in ("kept", "first kept")]
    assert status["refused_players"] == len(refusing) > 0
