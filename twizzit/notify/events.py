"""The hooks: where trouble is found, record it once and queue its mail after the commit.

Called from the places that find the events: the engine when a run ends (`run_finished`:
a failure; a partial run only when it found a problem the run before it did not have, so
messy data that stays as it is costs one mail, not one per run), the reaper of dead runs
(`run_stale`), the quota meter (`quota_warning`, `quota_spent`). Each hook costs a few
queries, checks the global and per-connection switches, and never raises: a notification
that cannot be recorded is logged, and the sync goes on as if nothing happened.
"""

from __future__ import annotations

import functools
import logging
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction

from twizzit.models import (
    Notification,
    NotificationKind,
    NotificationStatus,
    Resolution,
    SyncConflict,
    SyncLog,
    SyncStatus,
    SyncType,
    TwizzitConfig,
)
from twizzit.models.usage import next_month, usage_this_month
from twizzit.notify import compose
from twizzit.notify.delivery import enqueue
from twizzit.notify.recipients import recipients_for
from twizzit.validators import format_email_list

logger = logging.getLogger(__name__)

# The connection's switch for each kind.
SWITCHES = {
    NotificationKind.RUN_FAILED: "notify_failed_runs",
    NotificationKind.RUN_STALE: "notify_stale_runs",
    NotificationKind.CONFLICTS: "notify_conflicts",
    NotificationKind.QUOTA_WARNING: "notify_quota",
    NotificationKind.QUOTA_SPENT: "notify_quota",
    NotificationKind.RECOVERED: "notify_recovered",
}
TROUBLE = (SyncStatus.FAILED, SyncStatus.PARTIAL)
NO_RECIPIENTS = (
    "Nobody to tell: the connection lists no notification e-mails and no active superuser "
    "has an e-mail address."
)


def never_raises(hook):
    """A notification must never fail the sync that found the event."""

    @functools.wraps(hook)
    def guarded(*args, **kwargs):
        try:
            return hook(*args, **kwargs)
        except Exception:
            logger.exception("Could not record a %s notification", hook.__name__)
            return None

    return guarded


def wanted(kind: str, config: TwizzitConfig) -> bool:
    return settings.NOTIFICATIONS_ENABLED and getattr(config, SWITCHES[kind])


def record(kind: str, config: TwizzitConfig, key: str, build, *, sync_log=None):
    """Record the event `key` once; its mail is queued when the transaction commits.

    `build()` composes the mail; it runs only for an event not recorded before.
    Returns the new Notification, or None when it was off or already recorded.
    """
    if not wanted(kind, config) or Notification.objects.filter(key=key).exists():
        return None
    mail = build()
    recipients = recipients_for(config)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                key=key,
                kind=kind,
                config=config,
                sync_log=sync_log,
                recipients=format_email_list(recipients),
                subject=mail.subject,
                body_text=mail.text,
                body_html=mail.html,
                status=NotificationStatus.PENDING if recipients else NotificationStatus.FAILED,
                last_error="" if recipients else NO_RECIPIENTS,
            )
    except IntegrityError:
        return None  # another process recorded the same event a moment earlier
    if not recipients:
        logger.warning("%s of %s not sent. %s", notification.kind, config, NO_RECIPIENTS)
        return notification
    transaction.on_commit(lambda: enqueue(notification.pk))
    return notification


# --- runs -------------------------------------------------------------------------------------
@never_raises
def run_finished(log: SyncLog) -> list[Notification]:
    """A run ended: trouble, its new conflicts, or the way back to normal. Dry runs: nothing."""
    if log.dry_run or not settings.NOTIFICATIONS_ENABLED:
        return []
    config = TwizzitConfig.objects.get(pk=log.config_id)
    sent = []
    new = log.new_problem_entries() if log.status == SyncStatus.PARTIAL else []
    if log.status == SyncStatus.FAILED or new:
        # A failed run stopped early: its entries say why, not which records persist.
        persisting = len(log.problems()) - len(new) if new else 0
        sent.append(
            record(
                NotificationKind.RUN_FAILED,
                config,
                f"run-trouble:{log.pk}",
                lambda: compose.run_failed(config, log, new=new, persisting=persisting),
                sync_log=log,
            )
        )
    if log.started_at:  # a failed or cancelled run keeps the conflicts it found, too
        conflicts = list(
            SyncConflict.objects.filter(
                sync_log=log, resolution=Resolution.PENDING, created_at__gte=log.started_at
            )
            .select_related("player", "team")
            .order_by("pk")
        )
        if conflicts:
            sent.append(
                record(
                    NotificationKind.CONFLICTS,
                    config,
                    f"conflicts:{log.pk}",
                    lambda: compose.conflicts(config, log, conflicts),
                    sync_log=log,
                )
            )
    # A selected run syncs a few records: its success says nothing of the organisation's.
    # A partial run with nothing new counts as success after a failure (the syncs work
    # again; what is left is known), but is no news after the partial run it repeats.
    fine = log.status == SyncStatus.SUCCESS or (log.status == SyncStatus.PARTIAL and not new)
    if fine and log.sync_type != SyncType.SELECTED:
        previous = previous_run(log)
        if previous is not None and (
            previous.status == SyncStatus.FAILED
            or (previous.status == SyncStatus.PARTIAL and log.status == SyncStatus.SUCCESS)
        ):
            sent.append(
                record(
                    NotificationKind.RECOVERED,
                    config,
                    f"recovered:{log.pk}",
                    lambda: compose.recovered(config, log, previous),
                    sync_log=log,
                )
            )
    return [notification for notification in sent if notification is not None]


def previous_run(log: SyncLog) -> SyncLog | None:
    """The connection's run before `log` that really ran (no dry run, skip or cancel).

    A selected run that succeeded is passed over: a few records synced fine while the
    connection's syncs still failed is no way back to normal.
    """
    return (
        SyncLog.objects.filter(
            config_id=log.config_id,
            dry_run=False,
            started_at__isnull=False,
            status__in=[*TROUBLE, SyncStatus.SUCCESS],
        )
        .filter(created_at__lte=log.created_at)
        .exclude(pk=log.pk)
        .exclude(sync_type=SyncType.SELECTED, status=SyncStatus.SUCCESS)
        .order_by("-created_at", "-pk")
        .first()
    )


@never_raises
def run_stale(log_id: int) -> Notification | None:
    """A run whose heartbeat stopped was just marked interrupted (by a claim or the janitor)."""
    if not settings.NOTIFICATIONS_ENABLED:
        return None
    log = SyncLog.objects.select_related("config").get(pk=log_id)
    if log.dry_run:
        return None
    return record(
        NotificationKind.RUN_STALE,
        log.config,
        f"run-trouble:{log.pk}",  # the same key as a failure: one mail per broken run
        lambda: compose.run_stale(log.config, log),
        sync_log=log,
    )


# --- quota --------------------------------------------------------------------------------------
@never_raises
def quota_warning(config: TwizzitConfig, month: date) -> Notification | None:
    """The month's calls just crossed 90 % of the limit."""
    return _quota(NotificationKind.QUOTA_WARNING, "quota-90", config, month)


@never_raises
def quota_spent(config: TwizzitConfig, month: date) -> Notification | None:
    """The month's last allowed call was spent, or a call was refused for the limit."""
    return _quota(NotificationKind.QUOTA_SPENT, "quota-spent", config, month)


def _quota(kind: str, prefix: str, config: TwizzitConfig, month: date):

    def build():
        calls, limit = usage_this_month(config)
        return compose.quota(
            kind, config, month=month, renews=next_month(month), calls=calls, limit=limit
        )

    return record(kind, config, f"{prefix}:{config.pk}:{month:%Y-%m}", build)
