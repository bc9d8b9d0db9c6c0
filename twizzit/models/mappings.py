"""Mappings: Twizzit id ⇄ ShotSpot row (the OCA connector's "binding").

Each keeps the hash of the last remote record and the merge base — the values both sides
agreed on at the last sync. A mapping outlives its local row (the row pointer becomes
NULL): that tombstone is how a sync tells "deleted in ShotSpot" from "new in Twizzit".
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from shotspot.models import Club, Game, Player, Season, Team, TimeStamped
from twizzit.models.connections import TwizzitConfig


class Mapping(TimeStamped):
    """What every mapping keeps: when, the remote record's hash, and the merge base."""

    config = models.ForeignKey(TwizzitConfig, on_delete=models.CASCADE)
    last_synced_at = models.DateTimeField(default=timezone.now)
    remote_hash = models.CharField(max_length=64, blank=True)
    base_data = models.JSONField(default=dict, blank=True)
    # A person decided this Twizzit record stays out of ShotSpot (kept deleted, or a
    # duplicate not to import): the sync leaves it alone instead of asking again.
    ignore_remote = models.BooleanField(default=False)
    # Twizzit values ShotSpot's rules refused at the last sync that read the record:
    # {field: {"rule": "is not a valid address", "since": ISO datetime}}. The field was
    # left out of the write (blank on create, unchanged on update) and out of the merge
    # base; the next sync that reads an acceptable value applies it and drops the entry.
    refused = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True

    def refused_rules(self) -> list[tuple[str, str]]:
        """(field, rule without its leading "is ") pairs, in field order, for a page."""
        return [
            (name, str(entry.get("rule", "")).removeprefix("is "))
            for name, entry in sorted(self.refused.items())
        ]


def _mapping_constraints(prefix: str, remote: str, local: str) -> list:
    return [
        models.UniqueConstraint(fields=["config", remote], name=f"{prefix}_unique_remote"),
        models.UniqueConstraint(
            fields=["config", local],
            condition=Q(**{f"{local}__isnull": False}),
            name=f"{prefix}_unique_local",
        ),
    ]


class SeasonMapping(Mapping):
    """Twizzit season ⇄ ShotSpot Season."""

    twizzit_season_id = models.BigIntegerField()
    season = models.ForeignKey(
        Season, null=True, blank=True, on_delete=models.SET_NULL, related_name="twizzit_mappings"
    )

    class Meta:
        constraints = _mapping_constraints("seasonmap", "twizzit_season_id", "season")

    def __str__(self):
        return f"season {self.twizzit_season_id} → {self.season_id}"


class ClubMapping(Mapping):
    """Twizzit club id (a bare int on groups) ⇄ ShotSpot Club."""

    twizzit_club_id = models.BigIntegerField()
    club = models.ForeignKey(
        Club, null=True, blank=True, on_delete=models.SET_NULL, related_name="twizzit_mappings"
    )

    class Meta:
        constraints = _mapping_constraints("clubmap", "twizzit_club_id", "club")

    def __str__(self):
        return f"club {self.twizzit_club_id} → {self.club_id}"


class TeamMapping(Mapping):
    """Twizzit group ⇄ ShotSpot Team."""

    twizzit_group_id = models.BigIntegerField()
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="twizzit_mappings"
    )
    twizzit_season_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = _mapping_constraints("teammap", "twizzit_group_id", "team")

    def __str__(self):
        return f"group {self.twizzit_group_id} → {self.team_id}"


class PlayerMapping(Mapping):
    """Twizzit contact ⇄ ShotSpot Player. A NULL player is a tombstone: deleted here."""

    twizzit_contact_id = models.BigIntegerField()
    player = models.ForeignKey(
        Player, null=True, blank=True, on_delete=models.SET_NULL, related_name="twizzit_mappings"
    )

    class Meta:
        constraints = _mapping_constraints("playermap", "twizzit_contact_id", "player")

    def __str__(self):
        return f"contact {self.twizzit_contact_id} → {self.player_id}"

    @property
    def is_tombstone(self) -> bool:
        return self.player_id is None


class EventMapping(Mapping):
    """Twizzit event, as seen by one synced team ⇄ ShotSpot Game.

    An event linked to several of the club's teams (a derby) is one game per team, so
    the Twizzit side of a mapping is the pair (event, group). `twizzit_key` packs that
    pair into the one integer the importer, the conflicts and the resolutions use as the
    record's Twizzit id: event id * 10**9 + group id.
    """

    twizzit_key = models.BigIntegerField()
    twizzit_event_id = models.BigIntegerField()
    twizzit_group_id = models.BigIntegerField()
    game = models.ForeignKey(
        Game, null=True, blank=True, on_delete=models.SET_NULL, related_name="twizzit_mappings"
    )

    class Meta:
        constraints = _mapping_constraints("eventmap", "twizzit_key", "game")
        indexes = [models.Index(fields=["config", "twizzit_event_id"], name="eventmap_event_idx")]

    def __str__(self):
        return f"event {self.twizzit_event_id} (group {self.twizzit_group_id}) → {self.game_id}"

    def save(self, *args, **kwargs):
        # A mapping made from a conflict knows only the key: the pair follows from it.
        if self.twizzit_event_id is None or self.twizzit_group_id is None:
            self.twizzit_event_id, self.twizzit_group_id = divmod(self.twizzit_key, 10**9)
        super().save(*args, **kwargs)
