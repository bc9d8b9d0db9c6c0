"""Rows the API tests read and act on, made with the real models (no mocks)."""

from __future__ import annotations

from django.utils import timezone

from shotspot.models import Player, Season, SyncSource, Team
from twizzit.models import (
    ConflictType,
    EntityType,
    PlayerMapping,
    SeasonMapping,
    SyncConflict,
    SyncLog,
    SyncStatus,
    SyncType,
    TeamMapping,
)


def player(first="Lotte", last="Peeters", **fields) -> Player:
    return Player.objects.create(first_name=first, last_name=last, **fields)


def synced_player(config, twizzit_id: int, first="Lotte", last="Peeters", **fields):
    """A player that came from Twizzit, with its mapping and merge base."""
    row = player(first, last, sync_source=SyncSource.TWIZZIT, **fields)
    mapping = PlayerMapping.objects.create(
        config=config,
        twizzit_contact_id=twizzit_id,
        player=row,
        base_data={"first_name": first, "last_name": last, "email": row.email},
    )
    return row, mapping


def synced_team(config, twizzit_id: int, name="Kern 1", season=None):
    row = Team.objects.create(name=name, season=season, sync_source=SyncSource.TWIZZIT)
    mapping = TeamMapping.objects.create(
        config=config, twizzit_group_id=twizzit_id, team=row, base_data={"name": name}
    )
    return row, mapping


def synced_season(config, twizzit_id: int, name="2025-2026"):
    row = Season.objects.create(name=name, is_current=True, sync_source=SyncSource.TWIZZIT)
    SeasonMapping.objects.create(config=config, twizzit_season_id=twizzit_id, season=row)
    return row


def email_mismatch(config, mapping, *, shotspot="lotte@club.be", twizzit="lotte@twizzit.be"):
    """Both sides changed the email of a mapped player since the last sync."""
    base = mapping.base_data.get("email", "")
    mapping.player.email = shotspot
    mapping.player.save()
    return SyncConflict.objects.create(
        config=config,
        entity_type=EntityType.PLAYER,
        twizzit_id=mapping.twizzit_contact_id,
        player=mapping.player,
        conflict_type=ConflictType.DATA_MISMATCH,
        fields=["email"],
        base_data={"email": base},
        shotspot_data={"email": shotspot},
        twizzit_data={"email": twizzit},
    )


def sync_log(config, status=SyncStatus.SUCCESS, sync_type=SyncType.FULL, **fields) -> SyncLog:
    finished = status not in (SyncStatus.PENDING, SyncStatus.RUNNING)
    now = timezone.now()
    return SyncLog.objects.create(
        config=config,
        sync_type=sync_type,
        status=status,
        started_at=None if status == SyncStatus.PENDING else now,
        completed_at=now if finished else None,
        **fields,
    )
