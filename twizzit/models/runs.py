"""Sync runs: every run is a `SyncLog`, created before any work and finished in `finally`.

A run's *problems* are its error entries, each known by a key: the record's Twizzit id
(entity and id), or, for a page or a list that failed as a whole, its kind (the message
without its numbers). Comparing a run's keys with the previous complete run's tells what
is new: messy data that stays as it was is reported once, not at every run.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils import timezone

from twizzit.models.connections import TwizzitConfig


class SyncType(models.TextChoices):
    FULL = "full", "Full"
    PLAYERS = "players", "Players"
    TEAMS = "teams", "Teams"
    ROSTERS = "rosters", "Rosters"
    GAMES = "games", "Games"
    SELECTED = "selected", "Selected records"


class SyncTrigger(models.TextChoices):
    MANUAL = "manual", "Manual"
    SCHEDULE = "schedule", "Schedule"
    API = "api", "API"
    ADMIN = "admin", "Admin"
    CLI = "cli", "Command line"


class SyncStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCESS = "success", "Success"
    PARTIAL = "partial", "Partial"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_STATUSES = (SyncStatus.PENDING, SyncStatus.RUNNING)
NUMBERS = re.compile(r"[0-9]+")


def problem_key(entry: dict) -> str:
    """What makes an error entry the same problem in the next run."""
    if entry.get("twizzit_id") is not None:
        return f"{entry.get('entity')}:{entry['twizzit_id']}"
    return f"{entry.get('entity')}:{NUMBERS.sub('#', str(entry.get('message', '')))}"


class SyncLog(models.Model):
    """One sync run: what was asked, what happened, and what it cost."""

    config = models.ForeignKey(TwizzitConfig, on_delete=models.CASCADE, related_name="sync_logs")
    sync_type = models.CharField(max_length=10, choices=SyncType.choices)
    trigger = models.CharField(
        max_length=10, choices=SyncTrigger.choices, default=SyncTrigger.MANUAL
    )
    status = models.CharField(max_length=10, choices=SyncStatus.choices, default=SyncStatus.PENDING)
    dry_run = models.BooleanField(default=False)
    # {entity: {fetched, created, updated, unchanged, skipped, conflicts, errors}}
    stats = models.JSONField(default=dict, blank=True)
    # [{entity, twizzit_id, message, level}] — level "error" or "warning"
    errors = models.JSONField(default=list, blank=True)
    # Dry runs: [{entity, twizzit_id, action, changes: {field: [old, new]}}], capped.
    planned_changes = models.JSONField(default=list, blank=True)
    # Selected-records runs: {"contact_ids": [...], "group_ids": [...]}, what was asked for.
    selection = models.JSONField(default=dict, blank=True)
    # {phase, entities: {entity: processed}} — written at most once per page.
    progress = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True, help_text="Why the run failed or was skipped.")
    api_calls = models.PositiveIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    cancel_requested = models.BooleanField(default=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The process holding the run ("host|boot time|pid|start time", twizzit.sync.liveness):
    # a dead one on the same machine frees the connection without waiting for the lease.
    owner = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # How many of the run's problems (error entries) the previous complete run did not
    # have; null for a run not judged (a preview, or one that never started).
    new_problems = models.PositiveIntegerField(null=True, blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["config", "-created_at"], name="synclog_config_recent_idx"),
            models.Index(fields=["status"], name="synclog_status_idx"),
        ]

    def __str__(self):
        # The admin shows runs by this label (e.g. a connection's running sync).
        kind = "preview" if self.dry_run else "sync"
        state = self.shown_status
        if self.heartbeat_age is not None:
            state += f", last heartbeat {round(self.heartbeat_age)} s ago"
        return f"{self.get_sync_type_display()} {kind} #{self.pk} ({state})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def problems(self) -> dict[str, dict]:
        """The run's error entries by problem key (warnings are not problems)."""
        return {
            problem_key(entry): entry
            for entry in self.errors or []
            if entry.get("level", "error") == "error"
        }

    def baseline(self) -> SyncLog | None:
        """The run whose problems this one's are compared with: the connection's run
        before it that read Twizzit through (success or partial; no preview, no selected
        run, no failure: a run that stopped early says nothing of the records).
        """
        return (
            SyncLog.objects.filter(
                config_id=self.config_id,
                dry_run=False,
                status__in=[SyncStatus.SUCCESS, SyncStatus.PARTIAL],
                created_at__lte=self.created_at,
            )
            .exclude(pk=self.pk)
            .exclude(sync_type=SyncType.SELECTED)
            .order_by("-created_at", "-pk")
            .first()
        )

    def new_problem_entries(self) -> list[dict]:
        """The run's problems that its baseline did not have (all of them without one)."""
        baseline = self.baseline()
        known = baseline.problems() if baseline is not None else {}
        return [entry for key, entry in self.problems().items() if key not in known]

    @property
    def heartbeat_age(self) -> float | None:
        """Seconds since a running run last showed it is alive; None when not running."""
        if self.status != SyncStatus.RUNNING or self.heartbeat_at is None:
            return None
        return max((timezone.now() - self.heartbeat_at).total_seconds(), 0.0)

    @property
    def is_stale(self) -> bool:
        """Running, but its heartbeat stopped longer ago than the lease: presumed dead."""
        age = self.heartbeat_age
        return age is not None and age > settings.TWIZZIT_SYNC_LEASE_SECONDS

    @property
    def shown_status(self) -> str:
        """The status as people should read it: a running run whose heartbeat stopped is stale."""
        return "stale" if self.is_stale else self.status
