"""Retention: nothing that copies personal data is kept longer than needed.

What is kept, and for how long, comes from the environment (`RETENTION_*`, see the
README and docs/operations.md) and is shown read-only on the admin's retention page:

- a sync's entries and planned changes (they name records and, in previews, values):
  emptied after `RETENTION_SYNC_LOG_DAYS`; the run itself and its counts stay;
- a decided conflict's stored values (snapshots, candidates, chosen values): emptied
  `RETENTION_CONFLICT_DAYS` after it was decided; the record of the decision stays;
- a mail's text, once sent or given up: emptied after `RETENTION_MAIL_DAYS`; who got
  what subject when stays;
- django-q's results of successful tasks: deleted after `RETENTION_TASK_DAYS`;
- per connection, optionally: members archived (gone from Twizzit) for longer than
  `anonymise_archived_after_months` are erased without a suppression, so a member who
  joins again is imported again.

`prune` does it in batches of `RETENTION_BATCH_SIZE` rows, each its own short
transaction touching only old rows (never a pending or running run), so a sync running
at the same time never waits on it for long; while a sync runs it also pauses between
batches (`YIELD_FACTOR`), leaving the sync most of the database and the CPU. The
janitor calls it once a day; `manage.py privacy prune [--dry-run]` calls it by hand.
A value of 0 days keeps for ever.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_q.models import Success

from shotspot.models import Player
from twizzit.models import (
    ACTIVE_STATUSES,
    Notification,
    NotificationStatus,
    Resolution,
    SyncConflict,
    SyncLog,
    TwizzitConfig,
)
from twizzit.services.privacy.erasure import ErasureRefused, erase_player

# A short breath between batches, so a sync's writes (SQLite: one writer) get their turn.
PAUSE_SECONDS = 0.005
# While a sync runs (or waits to), pruning steps back further: after each batch it waits this many
# times as long as the batch took, so it takes at most a tenth of the database's time
# (and of a CPU) away from the sync. Pruning is never urgent; a sync is.
YIELD_FACTOR = 9
DAILY_KEY = "twizzit-retention-pruned-on"


@dataclass(frozen=True)
class Rule:
    key: str
    what: str
    setting: str
    days: int

    @property
    def kept(self) -> str:
        return "for ever" if self.days <= 0 else f"{self.days} days"


def rules() -> list[Rule]:
    """The retention settings in force, as the admin page and `privacy prune` show them."""
    return [
        Rule(
            "sync_logs",
            "Sync-log entries and planned changes (the run and its counts stay)",
            "RETENTION_SYNC_LOG_DAYS",
            settings.RETENTION_SYNC_LOG_DAYS,
        ),
        Rule(
            "conflicts",
            "Stored values of decided conflicts (the decision stays)",
            "RETENTION_CONFLICT_DAYS",
            settings.RETENTION_CONFLICT_DAYS,
        ),
        Rule(
            "mails",
            "Text of sent e-mails (recipients, subject and date stay)",
            "RETENTION_MAIL_DAYS",
            settings.RETENTION_MAIL_DAYS,
        ),
        Rule(
            "tasks",
            "Results of background tasks that succeeded",
            "RETENTION_TASK_DAYS",
            settings.RETENTION_TASK_DAYS,
        ),
    ]


@dataclass
class PruneReport:
    dry_run: bool
    removed: dict[str, int] = field(default_factory=dict)
    anonymised: dict[str, int] = field(default_factory=dict)  # organisation → members
    refused: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        verb = "Would remove" if self.dry_run else "Removed"
        words = {
            "sync_logs": "sync log(s): entries and planned changes",
            "conflicts": "decided conflict(s): stored values",
            "mails": "e-mail(s): text",
            "tasks": "successful task result(s)",
        }
        lines = [f"{verb} {self.removed.get(k, 0)} {words[k]}" for k in words]
        for organisation, count in self.anonymised.items():
            verb = "Would anonymise" if self.dry_run else "Anonymised"
            lines.append(f"{verb} {count} long-archived member(s) of {organisation}")
        lines.extend(f"Not anonymised: {reason}" for reason in self.refused)
        return lines


def _in_batches(query, apply, *, dry_run: bool) -> int:
    """Apply `apply(pks)` to the rows of `query`, a batch at a time; the number of rows."""
    if dry_run:
        return query.count()
    size = max(settings.RETENTION_BATCH_SIZE, 1)
    done, last = 0, None
    while True:
        batch_query = query.order_by("pk")
        if last is not None:
            batch_query = batch_query.filter(pk__gt=last)
        pks = list(batch_query.values_list("pk", flat=True)[:size])
        if not pks:
            return done
        began = time.perf_counter()
        with transaction.atomic():
            apply(pks)
        done += len(pks)
        last = pks[-1]
        took = time.perf_counter() - began
        syncing = SyncLog.objects.filter(status__in=ACTIVE_STATUSES).exists()
        time.sleep(max(PAUSE_SECONDS, took * YIELD_FACTOR) if syncing else PAUSE_SECONDS)


def _cutoff(now, days: int):
    return now - timedelta(days=days) if days > 0 else None


def prune(*, dry_run: bool = False, now=None) -> PruneReport:
    """Apply every retention rule; see the module's docstring."""
    now = now or timezone.now()
    report = PruneReport(dry_run=dry_run)
    days = {rule.key: rule.days for rule in rules()}

    cutoff = _cutoff(now, days["sync_logs"])
    report.removed["sync_logs"] = 0
    if cutoff:
        old = (
            SyncLog.objects.filter(created_at__lt=cutoff)
            .exclude(status__in=ACTIVE_STATUSES)
            .exclude(Q(errors=[]) & Q(planned_changes=[]))
        )
        report.removed["sync_logs"] = _in_batches(
            old,
            lambda pks: SyncLog.objects.filter(pk__in=pks).update(errors=[], planned_changes=[]),
            dry_run=dry_run,
        )

    cutoff = _cutoff(now, days["conflicts"])
    report.removed["conflicts"] = 0
    if cutoff:
        old = (
            SyncConflict.objects.exclude(resolution=Resolution.PENDING)
            .filter(Q(resolved_at__lt=cutoff) | Q(resolved_at__isnull=True, updated_at__lt=cutoff))
            .exclude(
                Q(shotspot_data={})
                & Q(twizzit_data={})
                & Q(base_data={})
                & Q(candidates=[])
                & Q(resolved_values__isnull=True)
            )
        )
        report.removed["conflicts"] = _in_batches(
            old,
            lambda pks: SyncConflict.objects.filter(pk__in=pks).update(
                shotspot_data={}, twizzit_data={}, base_data={}, candidates=[], resolved_values=None
            ),
            dry_run=dry_run,
        )

    cutoff = _cutoff(now, days["mails"])
    report.removed["mails"] = 0
    if cutoff:
        old = (
            Notification.objects.filter(created_at__lt=cutoff)
            .exclude(status=NotificationStatus.PENDING)
            .exclude(body_text="", body_html="")
        )
        report.removed["mails"] = _in_batches(
            old,
            lambda pks: Notification.objects.filter(pk__in=pks).update(body_text="", body_html=""),
            dry_run=dry_run,
        )

    cutoff = _cutoff(now, days["tasks"])
    report.removed["tasks"] = 0
    if cutoff:
        old = Success.objects.filter(stopped__lt=cutoff)
        report.removed["tasks"] = _in_batches(
            old, lambda pks: Success.objects.filter(pk__in=pks).delete(), dry_run=dry_run
        )

    _anonymise_archived(report, now)
    return report


def _anonymise_archived(report: PruneReport, now) -> None:
    configs = TwizzitConfig.objects.filter(anonymise_archived_after_months__isnull=False)
    for config in configs:
        cutoff = now - timedelta(days=30 * config.anonymise_archived_after_months)
        players = Player.objects.filter(
            archived_at__lt=cutoff, twizzit_mappings__config=config
        ).distinct()
        if report.dry_run:
            report.anonymised[config.organization_name] = players.count()
            continue
        count = 0
        for player in players.iterator():
            try:
                erase_player(player, suppress=False)
                count += 1
            except ErasureRefused as exc:
                report.refused.append(str(exc))
                break
        report.anonymised[config.organization_name] = count


def prune_daily(now=None) -> PruneReport | None:
    """The janitor's call (every few minutes): prune at most once a day."""
    now = now or timezone.now()
    today = timezone.localdate(now).isoformat()
    if cache.get(DAILY_KEY) == today:
        return None
    cache.set(DAILY_KEY, today, timeout=2 * 86_400)
    return prune(now=now)
