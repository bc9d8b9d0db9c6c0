"""What a conflict is about: its ShotSpot row and the name a person knows it by.

A player's or team's conflict points at its row directly (`SyncConflict.player`/`team`);
a game's conflict has no column of its own, so its row is found through the event
mapping (`EventMapping.twizzit_key` is the conflict's `twizzit_id`). The admin's list and
review screen, the REST API and the conflicts e-mail all name a conflict through here,
so a game reads as "U13 A - Boeckenberg (2026-02-07)" everywhere, not as its key.
"""

from __future__ import annotations

from twizzit.mappers.events import KEY_FACTOR
from twizzit.models import EntityType, EventMapping, SyncConflict

_UNSET = object()


def local_row(conflict: SyncConflict):
    """The ShotSpot row the conflict concerns, or None (not linked, or deleted since)."""
    cached = getattr(conflict, "_local_row", _UNSET)
    if cached is not _UNSET:
        return cached
    row = conflict.player or conflict.team
    if row is None and conflict.entity_type == EntityType.GAME:
        mapping = (
            EventMapping.objects.filter(
                config_id=conflict.config_id, twizzit_key=conflict.twizzit_id
            )
            .select_related("game__team")
            .first()
        )
        row = mapping.game if mapping else None
    conflict._local_row = row
    return row


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


def subject_name(conflict: SyncConflict) -> str:
    """The person, team or game, whichever side still knows the name."""
    row = local_row(conflict)
    if row is not None:
        return str(row)
    for data in (conflict.twizzit_data, conflict.shotspot_data, conflict.base_data):
        name = " ".join(str(data[k]) for k in ("first_name", "last_name") if data.get(k))
        name = name or data.get("name")
        if name:
            return str(name)
        if data.get("opponent"):
            day = str(data.get("start") or "")[:10]
            return f"Game vs {data['opponent']}" + (f" ({day})" if day else "")
    if conflict.entity_type == EntityType.GAME:
        return f"Twizzit event {conflict.twizzit_id // KEY_FACTOR}"
    return f"{conflict.get_entity_type_display()} {conflict.twizzit_id}"


def twizzit_record(conflict: SyncConflict) -> str:
    """The record on Twizzit's side, in words: "Contact 123", "Event 4533 (group 61085)"."""
    if conflict.entity_type == EntityType.GAME:
        event, group = divmod(conflict.twizzit_id, KEY_FACTOR)
        return f"Event {event} (group {group})"
    return f"{conflict.get_entity_type_display()} {conflict.twizzit_id}"
