"""Delivering notifications: a mail server that is down never touches the sync, and the
mail is tried again later by the janitor; no secret ever reaches a mail."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.sandbox import connect
from tests.test_notifications import make_mismatches
from twizzit import tasks
from twizzit.models import Notification, SyncLog, SyncStatus
from twizzit.notify import delivery, events
from twizzit.sync import run_sync

ANOTHER_ORG = 2002


@pytest.fixture
def refused(db, sandbox):
    return connect(
        sandbox,
        organization_id=ANOTHER_ORG,
        organization_name="KC Elders",
        notify_emails="ops@club.be",
    )


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_down(settings, closed_port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port
    settings.EMAIL_TIMEOUT = 2
    return settings


def make_due(notification):
    Notification.objects.filter(pk=notification.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_mail_server_that_is_down_leaves_the_sync_untouched_and_the_mail_pending(
    committed, refused, smtp_down
):
    log = committed(run_sync, refused)

    log.refresh_from_db()
    assert log.status == SyncStatus.FAILED
    assert "2002" in log.message
    assert "SMTP" not in log.message and "Connection" not in log.message
    notification = Notification.objects.get()
    assert notification.status == "pending"
    assert notification.attempts == 1
    assert notification.last_error.startswith("ConnectionRefusedError")
    assert notification.next_attempt_at > timezone.now() + timedelta(minutes=4)


def test_a_successful_sync_stays_successful_when_its_digest_cannot_be_mailed(
    db, committed, sandbox, smtp_down
):
    club = connect(sandbox, notify_emails="ops@club.be")
    make_mismatches(club, sandbox, 2)

    log = committed(run_sync, club)

    assert log.status == SyncStatus.SUCCESS
    assert SyncLog.objects.get(pk=log.pk).status == SyncStatus.SUCCESS
    assert Notification.objects.get().status == "pending"


def test_the_janitor_sends_the_mail_once_it_is_due_and_the_server_is_back(
    committed, refused, smtp_down, settings
):
    committed(run_sync, refused)
    notification = Notification.objects.get()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert committed(tasks.janitor)["notifications_retried"] == 0  # not due yet
    assert mail.outbox == []

    make_due(notification)
    assert committed(tasks.janitor)["notifications_retried"] == 1

    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 2)
    assert notification.sent_at is not None
    assert notification.last_error == ""
    [message] = mail.outbox
    assert message.subject == notification.subject
    assert message.to == ["ops@club.be"]


def test_a_mail_is_given_up_after_the_last_attempt_and_the_delays_grow(
    committed, refused, smtp_down
):
    committed(run_sync, refused)
    notification = Notification.objects.get()
    waits = []
    for _ in range(delivery.MAX_ATTEMPTS - 2):  # the first was the task's
        make_due(notification)
        before = timezone.now()
        assert delivery.deliver(notification.pk) == "pending"
        notification.refresh_from_db()
        waits.append(round((notification.next_attempt_at - before).total_seconds() / 60))

    make_due(notification)
    assert delivery.deliver(notification.pk) == "failed"

    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("failed", delivery.MAX_ATTEMPTS)
    assert waits == [15, 60, 180, 360, 360, 360]  # minutes: growing, then capped
    assert committed(tasks.janitor)["notifications_retried"] == 0


def test_two_workers_delivering_the_same_notification_send_it_once(
    refused, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # no task: deliver by hand
        run_sync(refused)
    notification = Notification.objects.get()

    first = delivery.deliver(notification.pk)
    second = delivery.deliver(notification.pk)

    assert (first, second) == ("sent", "sent")
    assert len(mail.outbox) == 1


def test_no_password_or_token_appears_in_any_mail(db, committed, sandbox, smtp_down, settings):
    settings.EMAIL_HOST_PASSWORD = "Smtp-Planted-Secret-77"
    club = connect(sandbox, notify_emails="ops@club.be")
    make_mismatches(club, sandbox, 3)
    committed(run_sync, club)
    club.refresh_from_db()
    password, token = sandbox.password, club.get_token()
    assert token
    # A crash message that carries the secrets anyway (say, from a library's exception).
    crashed = SyncLog.objects.create(
        config=club,
        sync_type="full",
        status=SyncStatus.FAILED,
        started_at=timezone.now(),
        completed_at=timezone.now(),
        message=f"Unexpected error: ValueError: password={password} Bearer {token}",
    )
    committed(events.run_finished, crashed)
    club.set_password("wrong-password")
    club.save()
    committed(run_sync, club)  # refused credentials
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Notification.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    committed(tasks.janitor)

    assert sorted(Notification.objects.values_list("kind", flat=True)) == [
        "conflicts",
        "run_failed",
        "run_failed",
    ]
    assert len(mail.outbox) == 3
    texts = [m.body for m in mail.outbox] + [m.alternatives[0][0] for m in mail.outbox]
    texts += [m.subject for m in mail.outbox]
    texts += list(Notification.objects.values_list("last_error", flat=True))
    for text in texts:
        for secret in (password, token, "wrong-password", "Smtp-Planted-Secret-77"):
            assert secret not in text
    assert any("password=[redacted]" in text for text in texts)
