"""Sending a recorded notification, and trying again later when the mail server is down.

`deliver(pk)` is what the django-q2 task `twizzit.tasks.send_notification` runs. It first
*claims* the row with one conditional UPDATE (pending, and due), which also counts the
attempt and pushes `next_attempt_at` a little ahead, so the task and a janitor retry that
meet never both send it. Then it hands the mail to Django's e-mail backend. Any failure
(server down, refused, timed out after EMAIL_TIMEOUT) is logged with the error and the
row stays pending, due again after a delay that grows with each attempt; after
MAX_ATTEMPTS it is marked failed. Nothing here ever touches a sync or its log.

`retry_due()` runs with the janitor (every few minutes): it queues a task for each pending
notification that is due, including any whose first task was lost (broker down).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.utils import timezone
from django_q.tasks import async_task

from twizzit.logging_filters import redact
from twizzit.models import Notification, NotificationStatus

logger = logging.getLogger(__name__)

# Delay before the next try, after the 1st, 2nd, ... failed attempt (the last one repeats).
RETRY_DELAYS = (
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
)
MAX_ATTEMPTS = 8  # about a day and a half of retries
# While a worker sends, the row is not due: long enough for a slow server, short enough
# that a worker killed mid-send leaves it to the next janitor round.
SENDING_LEASE = timedelta(minutes=2)
MAX_RETRIES_PER_ROUND = 100
SEND_TASK = "twizzit.tasks.send_notification"


def enqueue(pk: int) -> None:
    """Queue the task that sends `pk`; a broker that is down leaves it to the janitor."""
    try:
        async_task(SEND_TASK, pk, task_name=f"twizzit-notification-{pk}")
    except Exception as exc:
        logger.warning(
            "Could not queue notification #%s (%s); the janitor will send it.",
            pk,
            type(exc).__name__,
        )


def retry_delay(attempts: int) -> timedelta:
    return RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1]


def deliver(pk: int) -> str:
    """Send notification `pk` if it is pending and due; returns its status afterwards."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=pk, status=NotificationStatus.PENDING, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + SENDING_LEASE)
    notification = Notification.objects.filter(pk=pk).first()
    if notification is None:
        return "gone"  # its connection was removed
    if not claimed:
        return notification.status  # sent, given up, or another worker is on it
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        to=notification.recipient_list,
    )
    message.attach_alternative(notification.body_html, "text/html")
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # SMTP errors, OSError (refused, unreachable), timeouts
        return _failed(notification, exc)
    Notification.objects.filter(pk=pk).update(
        status=NotificationStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    logger.info("Notification #%s (%s) sent to %s.", pk, notification.kind, notification.recipients)
    return NotificationStatus.SENT


def _failed(notification: Notification, exc: Exception) -> str:
    error = redact(f"{type(exc).__name__}: {exc}")[:1000]
    gave_up = notification.attempts >= MAX_ATTEMPTS
    status = NotificationStatus.FAILED if gave_up else NotificationStatus.PENDING
    retry_at = timezone.now() + retry_delay(notification.attempts)
    Notification.objects.filter(pk=notification.pk).update(
        status=status, last_error=error, next_attempt_at=retry_at
    )
    if gave_up:
        logger.error(
            "Notification #%s (%s) not sent after %s attempts, giving up: %s",
            notification.pk,
            notification.kind,
            notification.attempts,
            error,
        )
    else:
        logger.warning(
            "Notification #%s (%s) not sent (attempt %s): %s. Retrying after %s.",
            notification.pk,
            notification.kind,
            notification.attempts,
            error,
            timezone.localtime(retry_at).strftime("%Y-%m-%d %H:%M %Z"),
        )
    return status


def retry_due() -> int:
    """Queue a send for every pending notification that is due; returns how many."""
    due = list(
        Notification.objects.filter(
            status=NotificationStatus.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:MAX_RETRIES_PER_ROUND]
    )
    for pk in due:
        enqueue(pk)
    return len(due)
