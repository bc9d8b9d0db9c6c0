"""Where a connection stands: `twizzit.services.status.connection_status` and `twizzit_status`."""

import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from twizzit.api.serializers import ConnectionStatusSerializer
from twizzit.models import (
    ApiUsage,
    ConflictType,
    EntityType,
    Resolution,
    SyncConflict,
    SyncFrequency,
    SyncLog,
    SyncStatus,
    SyncTrigger,
)
from twizzit.models.usage import month_of, today
from twizzit.services.status import connection_status
from twizzit.sync import run_sync
from twizzit.sync.runs import claim, create_run


def finished_log(config, status, *, minutes_ago, message=""):
    done = timezone.now() - timedelta(minutes=minutes_ago)
    log = SyncLog.objects.create(
        config=config,
        sync_type="full",
        status=status,
        message=message,
        completed_at=done,
        duration_ms=1500,
        stats={"players": {"created": 3}},
    )
    SyncLog.objects.filter(pk=log.pk).update(created_at=done - timedelta(seconds=2))
    return log


def status_document(config) -> dict:
    """The status as the REST API and `twizzit_status --json` print it."""
    return json.loads(json.dumps(ConnectionStatusSerializer(connection_status(config)).data))


def run_status(*args):
    from io import StringIO

    out = StringIO()
    call_command("twizzit_status", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_new_connection_has_no_runs_and_its_whole_quota(config):
    status = status_document(config)

    assert status["connection"] == {
        "id": config.pk,
        "organization_id": 4242,
        "organization_name": "KC Antwerpen",
        "sync_enabled": True,
        "auto_sync_frequency": "daily",
    }
    assert status["running"] is None
    assert status["last_sync"] is None
    assert status["recent"] == []
    assert status["pending_conflicts"] == 0
    assert status["api_usage"] == {
        "month": f"{today():%Y-%m}",
        "calls": 0,
        "limit": config.monthly_call_limit,
        "remaining": config.monthly_call_limit,
        "possibly_spent": False,
        "rate_limited_at": None,
    }


@pytest.mark.django_db
def test_recent_runs_are_the_last_five_finished_newest_first(config):
    logs = [finished_log(config, SyncStatus.SUCCESS, minutes_ago=60 - i) for i in range(6)] + [
        finished_log(config, SyncStatus.FAILED, minutes_ago=1, message="Credentials refused")
    ]

    status = status_document(config)

    assert [run["id"] for run in status["recent"]] == [log.pk for log in logs[::-1][:5]]
    assert status["last_sync"]["id"] == logs[-1].pk
    assert status["last_sync"]["status"] == "failed"
    assert status["last_sync"]["message"] == "Credentials refused"
    assert status["last_sync"]["duration_ms"] == 1500
    assert status["last_sync"]["stats"] == {"players": {"created": 3}}


@pytest.mark.django_db
def test_a_running_sync_shows_its_progress_and_is_not_the_last_sync(config):
    finished = finished_log(config, SyncStatus.SUCCESS, minutes_ago=30)
    log = create_run(config, "full", dry_run=False, trigger=SyncTrigger.API, user=None)
    assert claim(config, log)
    SyncLog.objects.filter(pk=log.pk).update(
        progress={"phase": "players", "processed": {"players": 200}}, api_calls=7
    )

    status = status_document(config)

    assert status["running"]["id"] == log.pk
    assert status["running"]["status"] == "running"
    assert status["running"]["progress"] == {"phase": "players", "processed": {"players": 200}}
    assert status["running"]["api_calls"] == 7
    assert status["running"]["started_at"] is not None
    assert status["last_sync"]["id"] == finished.pk


@pytest.mark.django_db
def test_a_run_waiting_for_a_worker_shows_as_pending(config):
    log = create_run(config, "full", dry_run=False, trigger=SyncTrigger.API, user=None)

    status = status_document(config)

    assert status["running"]["id"] == log.pk
    assert status["running"]["status"] == "pending"
    assert status["running"]["started_at"] is None


@pytest.mark.django_db
def test_only_pending_conflicts_are_counted(config):
    resolutions = [Resolution.PENDING, Resolution.PENDING, Resolution.TWIZZIT_WINS]
    for twizzit_id, resolution in enumerate(resolutions, start=1):
        SyncConflict.objects.create(
            config=config,
            entity_type=EntityType.PLAYER,
            twizzit_id=twizzit_id,
            conflict_type=ConflictType.DATA_MISMATCH,
            resolution=resolution,
        )

    assert status_document(config)["pending_conflicts"] == 2


@pytest.mark.django_db
def test_api_usage_counts_this_month_only(config):
    this_month = month_of(today())
    last_month = month_of(this_month - timedelta(days=1))
    ApiUsage.objects.create(config=config, month=this_month, calls=120)
    ApiUsage.objects.create(config=config, month=last_month, calls=9000)
    config.monthly_call_limit = 500
    config.save()

    assert status_document(config)["api_usage"] == {
        "month": f"{this_month:%Y-%m}",
        "calls": 120,
        "limit": 500,
        "remaining": 380,
        "possibly_spent": False,
        "rate_limited_at": None,
    }


@pytest.mark.django_db
def test_a_daily_connection_shows_its_next_run_and_a_manual_one_none(config):
    next_run = status_document(config)["next_scheduled_run"]
    assert next_run is not None
    assert "T02:00:00" in next_run  # daily at 02:00 in SCHEDULER_TIMEZONE (UTC in tests)

    config.auto_sync_frequency = SyncFrequency.MANUAL
    config.save()
    assert status_document(config)["next_scheduled_run"] is None


@pytest.mark.django_db
def test_the_status_of_a_real_sync_counts_its_calls(sandbox_config):
    log = run_sync(sandbox_config, trigger=SyncTrigger.CLI)

    status = status_document(sandbox_config)

    assert status["last_sync"]["status"] == "success"
    assert status["last_sync"]["stats"]["players"]["created"] == 300
    assert status["api_usage"]["calls"] == log.api_calls > 0


@pytest.mark.django_db
def test_status_command_prints_the_same_picture_as_json(config):
    finished_log(
        config, SyncStatus.PARTIAL, minutes_ago=5, message="2 contacts could not be mapped"
    )

    printed = json.loads(run_status("--org", "4242", "--json"))

    assert printed == status_document(config)
    assert printed["last_sync"]["status"] == "partial"


@pytest.mark.django_db
def test_status_command_tells_a_person_what_runs_and_what_is_next(config):
    finished_log(
        config, SyncStatus.PARTIAL, minutes_ago=5, message="2 contacts could not be mapped"
    )
    log = create_run(config, "players", dry_run=False, trigger=SyncTrigger.API, user=None)
    assert claim(config, log)
    SyncLog.objects.filter(pk=log.pk).update(
        progress={"phase": "players", "processed": {"players": 200}}
    )

    text = run_status("--org", "4242")

    assert "KC Antwerpen (4242)" in text
    assert f"Running: sync #{log.pk} (players)" in text
    assert "players 200" in text
    assert "partial" in text and "2 contacts could not be mapped" in text
    assert f"0 of {config.monthly_call_limit} calls" in text
    assert "Next scheduled run:" in text


@pytest.mark.django_db
def test_status_command_refuses_an_unknown_organisation(config):
    with pytest.raises(CommandError, match="No Twizzit connection for organisation 999"):
        run_status("--org", "999")


@pytest.mark.django_db
def test_a_dry_run_is_shown_as_a_preview_everywhere(config, make_user):
    from rest_framework.test import APIClient

    from twizzit.api.permissions import ADMIN_GROUP

    preview = finished_log(config, SyncStatus.SUCCESS, minutes_ago=3)
    SyncLog.objects.filter(pk=preview.pk).update(dry_run=True)
    real = finished_log(config, SyncStatus.SUCCESS, minutes_ago=10)
    api = APIClient()
    api.force_authenticate(make_user("ada", ADMIN_GROUP))

    recent = api.get(f"/api/twizzit/connections/{config.pk}/status/").json()["recent"]
    lines = run_status("--org", "4242").splitlines()

    assert [(r["id"], r["dry_run"]) for r in recent] == [(preview.pk, True), (real.pk, False)]
    [preview_line] = [line for line in lines if f"#{preview.pk} " in line]
    [real_line] = [line for line in lines if f"#{real.pk} " in line]
    assert "preview" in preview_line and "preview" not in real_line
    preview.refresh_from_db()
    assert str(preview) == f"Full preview #{preview.pk} (success)"  # the admin's label


@pytest.fixture
def make_user(db, django_user_model):
    def make(username, *groups):
        from django.contrib.auth.models import Group

        user = django_user_model.objects.create_user(username)
        for name in groups:
            user.groups.add(Group.objects.get_or_create(name=name)[0])
        return user

    return make
