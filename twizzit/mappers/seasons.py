"""Twizzit season → ShotSpot Season fields.

A Twizzit season ("2025-2026") has a start and end date and an `active` flag; the active
one is the current season, which is what a sync scoped to "current season" follows.
"""

from __future__ import annotations

from twizzit.mappers.base import (
    Mapped,
    MappingError,
    flag,
    iso_date,
    record_hash,
    record_id,
    text,
)

# Season's column size (shotspot.models.Season); tests hold it equal to the model.
MAX_LENGTHS = {"name": 100}


def map_season(record: dict) -> Mapped:
    """Map one season record to Season fields; `MappingError` if it cannot be stored."""
    season_id = record_id(record, "season")
    label = f"season {season_id}"
    name = text(record.get("name"), label=f"{label} name", max_length=MAX_LENGTHS["name"])
    if not name:
        raise MappingError(f"{label} has no name")
    start_date = iso_date(record.get("start-date"), label=f"{label} start-date")
    end_date = iso_date(record.get("end-date"), label=f"{label} end-date")
    # ISO dates compare correctly as strings.
    if start_date and end_date and end_date < start_date:
        raise MappingError(f"{label} ends ({end_date}) before it starts ({start_date})")
    return Mapped(
        twizzit_id=season_id,
        fields={
            "name": name,
            "start_date": start_date,
            "end_date": end_date,
            "is_current": flag(record.get("active"), label=f"{label} active"),
        },
        refs={},
        hash=record_hash(record),
    )
