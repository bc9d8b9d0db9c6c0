"""E-mail to the admins: each kind once per event, to the right people, with the right words.

Syncs run over HTTP against the sandbox; mails go to Django's locmem outbox. The mail is
sent by the task queued when the sync's transaction commits: the tests run the captured
on-commit callbacks, and django-q2's sync mode runs the queued task in this process.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from tests.sandbox import connect
from twizzit import tasks
from twizzit.models import (
    ApiUsage,
    Notification,
    PlayerMapping,
    SyncLog,
    SyncStatus,
    TwizzitConfig,
)
from twizzit.models.usage import month_of, next_month, today, warning_threshold
from twizzit.notify import events
from twizzit.sync import run_sync
from twizzit.sync.runs import claim, create_run

ANOTHER_ORG = 2002  # the sandbox account may not read it: every sync of it fails
RECIPIENTS = ["ops@club.be", "coach@club.be"]


@pytest.fixture
def club(db, sandbox):
    return connect(sandbox, notify_emails=", ".join(RECIPIENTS))


@pytest.fixture
def refused(db, sandbox):
    return connect(
        sandbox,
        organization_id=ANOTHER_ORG,
        organization_name="KC Elders",
        notify_emails=", ".join(RECIPIENTS),
    )


def kinds() -> list[str]:
    return sorted(Notification.objects.values_list("kind", flat=True))


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def log_url(log) -> str:
    return f"http://127.0.0.1:8000/admin/twizzit/synclog/{log.pk}/change/"


def make_mismatches(config, sandbox, count):
    """Sync, then change the e-mail of `count` players on both sides."""
    run_sync(config)
    contacts = sorted(sandbox.state.contacts, key=lambda c: c["id"])[:count]
    for contact in contacts:
        mapping = PlayerMapping.objects.get(config=config, twizzit_contact_id=contact["id"])
        mapping.player.email = f"shotspot.{contact['id']}@club.be"
        mapping.player.save()
        sandbox.state.update_contact(
            contact["id"],
            **{"email-1": {"target": None, "email": f"twizzit.{contact['id']}@club.be"}},
        )
    return contacts


# --- failed and partial runs ----------------------------------------------------------------
def test_a_failed_run_mails_the_connections_addresses_once_with_reason_counts_and_link(
    committed, refused
):
    log = committed(run_sync, refused)

    assert log.status == SyncStatus.FAILED
    [message] = mail.outbox
    assert message.to == RECIPIENTS
    assert message.subject == f"[ShotSpot] KC Elders: sync #{log.pk} failed"
    assert "The sync of KC Elders (2002) failed." in message.body
    assert f"Reason: {log.message}" in message.body
    assert "2002" in log.message  # the sandbox's refusal names the organisation
    assert f"Sync:          #{log.pk} (full)\nStarted from:  Manual\n" in message.body
    assert log_url(log) in message.body
    assert log_url(log) in html_of(message)
    notification = Notification.objects.get()
    assert (notification.kind, notification.status, notification.sync_log) == (
        "run_failed",
        "sent",
        log,
    )
    assert notification.recipients == "ops@club.be, coach@club.be"
    assert notification.attempts == 1

    # The same run reported again (a retried hook, a second worker) is not mailed again.
    committed(events.run_finished, log)
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1


def test_a_run_that_ends_partial_with_errors_is_mailed_with_its_counts(committed, sandbox, club):
    sandbox.state.fail("contacts", status=503, times=20, offset=100)

    log = committed(run_sync, club)

    assert log.status == SyncStatus.PARTIAL
    [message] = mail.outbox
    assert message.subject == f"[ShotSpot] KBKB Sandbox Club: sync #{log.pk} ended with errors"
    assert "finished, but with 1 error" in message.body
    created = log.stats["players"]["created"]
    assert f"Players: {created} created, 0 updated" in message.body
    assert "<th>Created</th>" in html_of(message)


def test_a_successful_run_without_conflicts_sends_nothing(committed, club):
    log = committed(run_sync, club)

    assert log.status == SyncStatus.SUCCESS
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_a_dry_run_sends_nothing_even_when_it_fails(committed, refused):
    log = committed(run_sync, refused, dry_run=True)

    assert log.status == SyncStatus.FAILED
    assert mail.outbox == []


def test_without_addresses_the_active_superusers_are_mailed(
    committed, refused, django_user_model, admin_user
):
    django_user_model.objects.create_superuser("second", "second@example.com", "pw")
    django_user_model.objects.create_superuser("noaddress", "", "pw")
    gone = django_user_model.objects.create_superuser("gone", "gone@example.com", "pw")
    gone.is_active = False
    gone.save()
    django_user_model.objects.create_user("staff", "staff@example.com", "pw", is_staff=True)
    TwizzitConfig.objects.filter(pk=refused.pk).update(notify_emails="")

    committed(run_sync, TwizzitConfig.objects.get(pk=refused.pk))

    [message] = mail.outbox
    assert message.to == ["admin@example.com", "second@example.com"]


def test_with_nobody_to_tell_the_notification_is_recorded_as_not_sent(committed, refused):
    TwizzitConfig.objects.filter(pk=refused.pk).update(notify_emails="")

    log = committed(run_sync, TwizzitConfig.objects.get(pk=refused.pk))

    assert log.status == SyncStatus.FAILED
    assert mail.outbox == []
    notification = Notification.objects.get()
    assert notification.status == "failed"
    assert notification.last_error.startswith("Nobody to tell")


# --- stale runs -------------------------------------------------------------------------------
def stale_run(config, settings):
    settings.TWIZZIT_SYNC_LEASE_SECONDS = 60
    log = create_run(config, "full", dry_run=False, trigger="schedule", user=None)
    assert claim(config, log)
    SyncLog.objects.filter(pk=log.pk).update(
        heartbeat_at=timezone.now() - timezone.timedelta(seconds=61)
    )
    return log


def test_the_janitor_finding_a_stale_run_mails_once(committed, club, settings):
    log = stale_run(club, settings)

    assert committed(tasks.janitor)["interrupted"] == 1
    committed(tasks.janitor)

    [message] = mail.outbox
    assert message.subject == (
        f"[ShotSpot] KBKB Sandbox Club: sync #{log.pk} stopped (its worker went silent)"
    )
    assert "After 60 seconds of silence it was marked interrupted" in message.body
    assert log_url(log) in message.body
    assert kinds() == ["run_stale"]


def test_a_claim_finding_a_stale_run_mails_it_and_the_good_run_after_it_says_so(
    committed, club, settings
):
    stale = stale_run(club, settings)

    fresh = committed(run_sync, club)

    assert fresh.status == SyncStatus.SUCCESS
    stopped, recovered = mail.outbox
    assert f"sync #{stale.pk} stopped" in stopped.subject
    assert recovered.subject == "[ShotSpot] KBKB Sandbox Club: syncs are back to normal"
    assert f"The run before it, #{stale.pk}" in recovered.body
    assert kinds() == ["recovered", "run_stale"]


# --- back to normal ---------------------------------------------------------------------------
def test_the_first_success_after_a_failure_is_mailed_and_the_next_one_is_not(
    committed, sandbox, club
):
    sandbox.state.fail("authenticate", status=503, times=50)
    failed = committed(run_sync, club)
    assert failed.status == SyncStatus.FAILED

    sandbox.state.reset()
    first = committed(run_sync, club)
    second = committed(run_sync, club)

    assert (first.status, second.status) == (SyncStatus.SUCCESS, SyncStatus.SUCCESS)
    assert [m.subject for m in mail.outbox] == [
        f"[ShotSpot] KBKB Sandbox Club: sync #{failed.pk} failed",
        "[ShotSpot] KBKB Sandbox Club: syncs are back to normal",
    ]
    assert Notification.objects.get(kind="recovered").sync_log == first


# --- conflicts --------------------------------------------------------------------------------
def test_thirty_new_conflicts_in_one_run_make_one_digest_with_names_only(committed, sandbox, club):
    contacts = make_mismatches(club, sandbox, 30)

    log = committed(run_sync, club)

    assert log.stats["players"]["conflicts"] == 30
    [message] = mail.outbox
    assert message.subject == "[ShotSpot] KBKB Sandbox Club: 30 new conflicts to decide"
    assert "30  Changed on both sides" in message.body
    assert "and 20 more" in message.body
    first = PlayerMapping.objects.get(config=club, twizzit_contact_id=contacts[0]["id"]).player
    assert f"- {first.first_name} {first.last_name} (changed on both sides)" in message.body
    assert (
        f"http://127.0.0.1:8000/admin/twizzit/syncconflict/?config__id__exact={club.pk}"
        "&resolution__exact=pending"
    ) in message.body
    for contact in contacts:  # no values from either side: only the record's name
        for body in (message.body, html_of(message)):
            assert f"shotspot.{contact['id']}@club.be" not in body
            assert f"twizzit.{contact['id']}@club.be" not in body
    assert kinds() == ["conflicts"]


def test_conflicts_met_again_by_the_next_run_are_not_mailed_again(committed, sandbox, club):
    make_mismatches(club, sandbox, 3)
    committed(run_sync, club)

    committed(run_sync, club)  # the same three disagreements, refreshed

    [message] = mail.outbox
    assert "3 new conflicts" in message.subject


# --- quota ------------------------------------------------------------------------------------
def with_password(config, password):
    config.refresh_from_db()
    config.set_password(password)  # also forgets the cached token
    config.save()
    return config


def preset_usage(config, calls, month=None):
    ApiUsage.objects.update_or_create(
        config=config, month=month or month_of(today()), defaults={"calls": calls}
    )


def test_the_90_percent_mail_comes_once_a_month_however_many_runs_cross_it(
    committed, club, monkeypatch
):
    limit = club.monthly_call_limit
    preset_usage(club, warning_threshold(limit) - 2)
    committed(run_sync, club)
    # Usage reset by hand in the admin, and a second run crosses 90 % again.
    ApiUsage.objects.filter(config=club).delete()
    preset_usage(club, warning_threshold(limit) - 2)
    committed(run_sync, club)

    [message] = mail.outbox
    renews = next_month(month_of(today()))
    assert message.to == RECIPIENTS
    assert "% of the Twizzit calls for" in message.subject
    assert f"until the quota renews on {renews:%Y-%m-%d}" in message.body
    assert f"of its {limit} Twizzit calls for {month_of(today()):%B %Y}" in message.body

    # Next month, crossing 90 % is news again.
    monkeypatch.setattr("twizzit.models.usage.today", lambda: renews)
    preset_usage(club, warning_threshold(limit) - 2, month=renews)
    committed(run_sync, club)
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(kind="quota_warning").count() == 2


def test_a_spent_quota_is_mailed_once_pauses_the_schedule_and_next_month_resumes_it(
    committed, sandbox, club, monkeypatch
):
    limit = club.monthly_call_limit
    preset_usage(club, limit - 3)

    refused = committed(run_sync, club)
    paused = committed(tasks.scheduled_sync, club.pk)
    paused_again = committed(tasks.scheduled_sync, club.pk)

    assert refused.status == SyncStatus.FAILED
    assert "quota" in refused.message
    renews = next_month(month_of(today()))
    for skipped in (paused, paused_again):
        log = SyncLog.objects.get(pk=skipped["id"])
        assert log.status == SyncStatus.CANCELLED
        assert log.message.startswith(f"Paused until {renews:%Y-%m-%d}")
    assert sum(sandbox.state.calls().values()) == 3  # the paused schedule called nothing
    assert kinds() == ["quota_spent", "quota_warning", "run_failed"]
    [spent] = [m for m in mail.outbox if "are spent" in m.subject]
    assert spent.to == RECIPIENTS
    assert spent.subject == (
        f"[ShotSpot] KBKB Sandbox Club: Twizzit calls for {month_of(today()):%B} are spent; "
        f"syncs resume on {renews:%Y-%m-%d}"
    )
    assert f"has spent its {limit} Twizzit calls" in spent.body
    assert "scheduled syncs are paused until then" in spent.body
    assert "scheduled syncs are paused until then" in html_of(spent)

    monkeypatch.setattr("twizzit.models.usage.today", lambda: renews)
    resumed = committed(tasks.scheduled_sync, club.pk)

    assert SyncLog.objects.get(pk=resumed["id"]).status == SyncStatus.SUCCESS
    assert kinds() == ["quota_spent", "quota_warning", "recovered", "run_failed"]
    assert len(mail.outbox) == 4


# --- switches ---------------------------------------------------------------------------------
def test_switched_off_kinds_send_nothing(committed, sandbox, club, settings):
    TwizzitConfig.objects.filter(pk=club.pk).update(
        notify_failed_runs=False,
        notify_stale_runs=False,
        notify_conflicts=False,
        notify_quota=False,
        notify_recovered=False,
    )
    club.refresh_from_db()
    make_mismatches(club, sandbox, 5)
    assert committed(run_sync, club).stats["players"]["conflicts"] == 5
    stale_run(club, settings)
    assert committed(tasks.janitor)["interrupted"] == 1
    failed = committed(run_sync, with_password(club, "wrong-password"))
    assert failed.status == SyncStatus.FAILED
    with_password(club, sandbox.password)
    committed(run_sync, club)  # back to normal
    preset_usage(club, club.monthly_call_limit - 3)
    assert "quota" in committed(run_sync, club).message  # 90 %, spent

    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_one_switch_off_leaves_the_other_kinds_on(committed, sandbox, club):
    TwizzitConfig.objects.filter(pk=club.pk).update(notify_conflicts=False)
    club.refresh_from_db()
    make_mismatches(club, sandbox, 5)
    committed(run_sync, club)
    failed = committed(run_sync, with_password(club, "wrong-password"))

    assert failed.status == SyncStatus.FAILED
    assert kinds() == ["run_failed"]


def test_notifications_disabled_globally_send_nothing(committed, refused, settings):
    settings.NOTIFICATIONS_ENABLED = False

    log = committed(run_sync, refused)

    assert log.status == SyncStatus.FAILED
    assert mail.outbox == []
    assert not Notification.objects.exists()
