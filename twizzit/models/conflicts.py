"""Conflicts: a disagreement between ShotSpot and Twizzit that a person decides.

At most one pending conflict per record (a partial unique constraint).

A conflict also knows what it is about: its ShotSpot row and the name a person knows it
by. A player's or team's conflict points at its row directly (`player`/`team`); a game's
conflict has no column of its own, so its row is found through the event mapping
(`EventMapping.twizzit_key` is the conflict's `twizzit_id`). The admin's list and review
screen, the REST API and the conflicts e-mail all name a conflict through these methods,
so a game reads as "U13 A - Boeckenberg (2026-02-07)" everywhere, not as its key.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from shotspot.models import Player, Team
from twizzit.mappers.events import KEY_FACTOR
from twizzit.models.connections import TwizzitConfig
from twizzit.models.mappings import EventMapping
from twizzit.models.runs import SyncLog

_UNSET = object()  # local_row not looked up yet (None is a real answer)


class EntityType(models.TextChoices):
    PLAYER = "player", "Player"
    TEAM = "team", "Team"
    SEASON = "season", "Season"
    ROSTER = "roster", "Roster"
    GAME = "game", "Game"


class ConflictType(models.TextChoices):
    DUPLICATE = "duplicate", "Possible duplicate"
    DATA_MISMATCH = "data_mismatch", "Changed on both sides"
    DELETED_IN_TWIZZIT = "deleted_in_twizzit", "Deleted in Twizzit"
    DELETED_IN_SHOTSPOT = "deleted_in_shotspot", "Deleted in ShotSpot"


class Resolution(models.TextChoices):
    PENDING = "pending", "Pending"
    TWIZZIT_WINS = "twizzit_wins", "Twizzit wins"
    SHOTSPOT_WINS = "shotspot_wins", "ShotSpot wins"
    MANUAL = "manual", "Manual values"
    IGNORED = "ignored", "Ignored"
    # A later sync found both sides agreeing again, or the record back in Twizzit.
    SUPERSEDED = "superseded", "Settled by a later sync"
    # The person it was about was erased on request (GDPR); its snapshots are emptied.
    ERASED = "erased", "Erased on request"


class SyncConflict(models.Model):
    """A disagreement between ShotSpot and Twizzit that a person decides."""

    config = models.ForeignKey(TwizzitConfig, on_delete=models.CASCADE, related_name="conflicts")
    sync_log = models.ForeignKey(
        SyncLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="conflicts"
    )
    entity_type = models.CharField(max_length=10, choices=EntityType.choices)
    twizzit_id = models.BigIntegerField()
    player = models.ForeignKey(
        Player, null=True, blank=True, on_delete=models.SET_NULL, related_name="sync_conflicts"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="sync_conflicts"
    )
    conflict_type = models.CharField(max_length=20, choices=ConflictType.choices)
    fields = models.JSONField(default=list, blank=True)
    shotspot_data = models.JSONField(default=dict, blank=True)
    twizzit_data = models.JSONField(default=dict, blank=True)
    base_data = models.JSONField(default=dict, blank=True)
    # Duplicates: the local rows that matched, [{id, label, matched_on}].
    candidates = models.JSONField(default=list, blank=True)
    resolution = models.CharField(
        max_length=20, choices=Resolution.choices, default=Resolution.PENDING
    )
    resolved_values = models.JSONField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["config", "entity_type", "twizzit_id"],
                condition=Q(resolution="pending"),
                name="one_pending_conflict_per_record",
            )
        ]
        indexes = [
            models.Index(
                fields=["config", "-created_at"],
                condition=Q(resolution="pending"),
                name="conflict_pending_idx",
            )
        ]

    def __str__(self):
        if self.entity_type == EntityType.GAME:  # its id is a key: say the event and team
            return f"{self.get_conflict_type_display()}: {self.twizzit_record().lower()}"
        return f"{self.get_conflict_type_display()}: {self.entity_type} {self.twizzit_id}"

    @property
    def is_pending(self) -> bool:
        return self.resolution == Resolution.PENDING

    @property
    def twizzit_record_id(self) -> int:
        """The id a person can look up in Twizzit: a game's event id, not its (event, group) key."""
        if self.entity_type == EntityType.GAME:
            return self.twizzit_id // KEY_FACTOR
        return self.twizzit_id

    @property
    def twizzit_group_id(self) -> int | None:
        """A game's Twizzit group (the team the event was synced for); None for others."""
        if self.entity_type == EntityType.GAME:
            return self.twizzit_id % KEY_FACTOR
        return None

    def twizzit_record(self) -> str:
        """The record on Twizzit's side, in words: "Contact 123", "Event 4533 (group 61085)"."""
        if self.entity_type == EntityType.GAME:
            event, group = divmod(self.twizzit_id, KEY_FACTOR)
            return f"Event {event} (group {group})"
        return f"{self.get_entity_type_display()} {self.twizzit_id}"

    def local_row(self):
        """The ShotSpot row the conflict concerns, or None (not linked, or deleted since)."""
        cached = getattr(self, "_local_row", _UNSET)
        if cached is not _UNSET:
            return cached
        row = self.player or self.team
        if row is None and self.entity_type == EntityType.GAME:
            mapping = (
                EventMapping.objects.filter(config_id=self.config_id, twizzit_key=self.twizzit_id)
                .select_related("game__team")
                .first()
            )
            row = mapping.game if mapping else None
        self._local_row = row
        return row

    @staticmethod
    def prefetch_local_rows(conflicts) -> None:
        """Find the games of many game conflicts in one query (a list page, a digest)."""
        games = [c for c in conflicts if c.entity_type == EntityType.GAME]
        if not games:
            return
        by_key = {}
        for mapping in EventMapping.objects.filter(
            config_id__in={c.config_id for c in games},
            twizzit_key__in=[c.twizzit_id for c in games],
        ).select_related("game__team"):
            by_key[(mapping.config_id, mapping.twizzit_key)] = mapping.game
        for conflict in games:
            conflict._local_row = by_key.get((conflict.config_id, conflict.twizzit_id))

    def subject_name(self) -> str:
        """The person, team or game, whichever side still knows the name."""
        row = self.local_row()
        if row is not None:
            return str(row)
        for data in (self.twizzit_data, self.shotspot_data, self.base_data):
            name = " ".join(str(data[k]) for k in ("first_name", "last_name") if data.get(k))
            name = name or data.get("name")
            if name:
                return str(name)
            if data.get("opponent"):
                day = str(data.get("start") or "")[:10]
                return f"Game vs {data['opponent']}" + (f" ({day})" if day else "")
        if self.entity_type == EntityType.GAME:
            return f"Twizzit event {self.twizzit_id // KEY_FACTOR}"
        return f"{self.get_entity_type_display()} {self.twizzit_id}"
