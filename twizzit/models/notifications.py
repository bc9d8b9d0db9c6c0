"""The record of every notification: what was (or will be) mailed, to whom, and how it went.

One of the twizzit app's models (`twizzit.models` re-exports it); `twizzit.notify` records
and sends them.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class NotificationKind(models.TextChoices):
    RUN_FAILED = "run_failed", "Sync failed or ended with errors"
    RUN_STALE = "run_stale", "Sync stopped (its worker went silent)"
    CONFLICTS = "conflicts", "New conflicts"
    QUOTA_WARNING = "quota_warning", "Twizzit calls at 90 %"
    QUOTA_SPENT = "quota_spent", "Twizzit calls spent"
    RECOVERED = "recovered", "Back to normal"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Not sent (gave up)"


class Notification(models.Model):
    """One event mailed to a connection's admins; `key` makes each event unique."""

    key = models.CharField(
        max_length=120, unique=True, help_text="The event, e.g. quota-spent:3:2026-11."
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    config = models.ForeignKey(
        "twizzit.TwizzitConfig",
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="connection",
    )
    sync_log = models.ForeignKey(
        "twizzit.SyncLog",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
        verbose_name="run",
    )
    recipients = models.TextField(help_text="Comma-separated e-mail addresses.")
    subject = models.CharField(max_length=250)
    body_text = models.TextField()
    body_html = models.TextField()
    status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Pending: when it may be (re)tried; while a worker sends it, a little later.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="notification_due_idx",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subject}"

    @property
    def recipient_list(self) -> list[str]:
        return [address for address in self.recipients.split(", ") if address]
