"""Retention (issue 23): old copies of personal data are pruned, recent ones are kept."""

from __future__ import annotations

import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_q.models import Task

from shotspot.models import Player
from twizzit import tasks
from twizzit.models import (
    ConflictType,
    EntityType,
    Notification,
    NotificationKind,
    NotificationStatus,
    PlayerMapping,
    Resolution,
    SyncConflict,
    SyncLog,
    SyncStatus,
)
from twizzit.services.privacy import retention
from twizzit.sync import resolve_conflict
from twizzit.sync.resolution import ResolutionError

ENTRY = {"entity": "players", "twizzit_id": 7, "message": "contact 7 number: bad", "level": "error"}
PLANNED = {"entity": "players", "twizzit_id": 7, "action": "update", "label": "An Peeters"}


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def run(config, age_days, status=SyncStatus.SUCCESS):
    log = SyncLog.objects.create(
        config=config,
        sync_type="full",
        status=status,
        stats={"players": {"created": 3}},
        errors=[ENTRY],
        planned_changes=[PLANNED],
    )
    SyncLog.objects.filter(pk=log.pk).update(created_at=days_ago(age_days))
    return log


def decided_conflict(config, age_days, resolution=Resolution.TWIZZIT_WINS):
    return SyncConflict.objects.create(
        config=config,
        entity_type=EntityType.PLAYER,
        twizzit_id=age_days,
        conflict_type=ConflictType.DATA_MISMATCH,
        fields=["email"],
        shotspot_data={"email": "a@x.be"},
        twizzit_data={"email": "b@x.be"},
        base_data={"email": "c@x.be"},
        resolution=resolution,
        resolved_at=days_ago(age_days) if resolution != Resolution.PENDING else None,
    )


def mail(config, age_days, status=NotificationStatus.SENT):
    notification = Notification.objects.create(
        key=f"test:{uuid.uuid4().hex}",
        kind=NotificationKind.CONFLICTS,
        config=config,
        recipients="admin@example.com",
        subject="1 new conflict",
        body_text="An Peeters: changed on both sides",
        body_html="<p>An Peeters: changed on both sides</p>",
        status=status,
    )
    Notification.objects.filter(pk=notification.pk).update(created_at=days_ago(age_days))
    return notification


def task(age_days, success=True):
    return Task.objects.create(
        id=uuid.uuid4().hex,
        name=f"task-{age_days}",
        func="twizzit.tasks.janitor",
        result={"interrupted": 0},
        started=days_ago(age_days),
        stopped=days_ago(age_days),
        success=success,
    )


def test_prune_empties_old_runs_entries_but_keeps_their_counts_and_every_recent_run(config):
    old, recent = run(config, 91), run(config, 89)
    running = run(config, 200, status=SyncStatus.RUNNING)

    report = retention.prune()

    assert report.removed["sync_logs"] == 1
    old.refresh_from_db()
    assert (old.errors, old.planned_changes) == ([], [])
    assert old.stats == {"players": {"created": 3}}
    recent.refresh_from_db()
    running.refresh_from_db()
    assert recent.errors == [ENTRY] and recent.planned_changes == [PLANNED]
    assert running.errors == [ENTRY]  # never touched while it runs


def test_prune_empties_decided_conflicts_after_180_days_and_never_a_pending_one(config):
    old, recent = decided_conflict(config, 181), decided_conflict(config, 179)
    waiting = decided_conflict(config, 400, resolution=Resolution.PENDING)
    SyncConflict.objects.filter(pk=waiting.pk).update(created_at=days_ago(400))

    assert retention.prune().removed["conflicts"] == 1

    old.refresh_from_db()
    assert (old.shotspot_data, old.twizzit_data, old.base_data) == ({}, {}, {})
    assert old.resolution == Resolution.TWIZZIT_WINS and old.fields == ["email"]
    for kept in (recent, waiting):
        kept.refresh_from_db()
        assert kept.twizzit_data == {"email": "b@x.be"}


def test_prune_empties_sent_mail_text_after_90_days_but_not_a_mail_still_to_send(config):
    old, recent = mail(config, 91), mail(config, 10)
    unsent = mail(config, 120, status=NotificationStatus.PENDING)

    assert retention.prune().removed["mails"] == 1

    old.refresh_from_db()
    assert (old.body_text, old.body_html) == ("", "")
    assert old.subject == "1 new conflict" and old.recipients == "admin@example.com"
    for kept in (recent, unsent):
        kept.refresh_from_db()
        assert "An Peeters" in kept.body_text


def test_prune_deletes_successful_task_results_after_30_days_only(db):
    old, recent, failed = task(31), task(29), task(60, success=False)

    assert retention.prune().removed["tasks"] == 1

    assert set(Task.objects.values_list("pk", flat=True)) == {recent.pk, failed.pk}
    assert old.pk not in Task.objects.values_list("pk", flat=True)


def test_prune_works_in_small_batches_and_reports_every_row(config):
    for _ in range(7):
        run(config, 100)
    with override_settings(RETENTION_BATCH_SIZE=3):
        report = retention.prune()
    assert report.removed["sync_logs"] == 7
    assert not SyncLog.objects.exclude(errors=[]).exists()


def test_dry_run_counts_what_would_go_and_removes_nothing(config):
    old = run(config, 91)
    mail(config, 91)
    out = StringIO()

    call_command("privacy", "prune", "--dry-run", stdout=out)

    text = out.getvalue()
    assert "Would remove 1 sync log(s): entries and planned changes" in text
    assert "Would remove 1 e-mail(s): text" in text
    assert (
        "Sync-log entries and planned changes (the run and its counts stay): kept 90 days" in text
    )
    old.refresh_from_db()
    assert old.errors == [ENTRY]


def test_prune_command_says_what_it_removed(config):
    run(config, 91)
    out = StringIO()
    call_command("privacy", "prune", stdout=out)
    assert "Removed 1 sync log(s): entries and planned changes" in out.getvalue()


def test_zero_days_keeps_for_ever(config):
    old = run(config, 1000)
    with override_settings(RETENTION_SYNC_LOG_DAYS=0):
        assert retention.prune().removed["sync_logs"] == 0
        assert retention.rules()[0].kept == "for ever"
    old.refresh_from_db()
    assert old.errors == [ENTRY]


def test_members_archived_longer_than_the_connections_setting_are_anonymised(config):
    def member(name, archived_days):
        player = Player.objects.create(
            first_name=name, last_name="Archived", archived_at=days_ago(archived_days)
        )
        PlayerMapping.objects.create(config=config, twizzit_contact_id=len(name), player=player)
        return player

    long_gone, recently_gone = member("Long", 400), member("Recently", 100)
    assert retention.prune().anonymised == {}  # off by default
    config.anonymise_archived_after_months = 12
    config.save()

    report = retention.prune()

    assert report.anonymised == {config.organization_name: 1}
    assert not Player.objects.filter(pk=long_gone.pk).exists()
    assert Player.objects.filter(pk=recently_gone.pk).exists()
    # No suppression: a member who joins again is imported again.
    assert not config.erased_contacts.exists()


def test_janitor_prunes_once_a_day(config):
    cache.delete(retention.DAILY_KEY)
    run(config, 91)
    assert tasks.janitor()["pruned"]["sync_logs"] == 1
    run(config, 91)
    assert tasks.janitor()["pruned"] is None  # already done today
    cache.delete(retention.DAILY_KEY)


def test_erased_is_not_a_resolution_a_person_can_choose(config):
    conflict = decided_conflict(config, 1, resolution=Resolution.PENDING)
    with pytest.raises(ResolutionError, match="'erased' is not a resolution"):
        resolve_conflict(conflict, "erased")
    conflict.refresh_from_db()
    assert conflict.resolution == Resolution.PENDING
