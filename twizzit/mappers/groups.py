"""Twizzit group → ShotSpot Team fields.

In Twizzit a team is a "group" (group type 1). A group names its category, club and
season only by id; the category's display name comes from the separate group-categories
listing (a language map), which the caller reads once and passes in as `category_names`.
Season and club stay Twizzit ids in `refs`: the sync engine resolves them through its
mapping tables, because a mapper never touches the database.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from twizzit.mappers.base import (
    Mapped,
    MappingError,
    first_translation,
    is_int,
    record_hash,
    record_id,
    text,
)

# Team's column sizes (shotspot.models.Team); tests hold these equal to the model.
MAX_LENGTHS = {"name": 200, "short_name": 100, "category": 200, "logo_url": 500}


def category_name(category_record: dict) -> str:
    """A group category's display name: the first non-empty of its EN, NL, FR names."""
    return first_translation(category_record.get("name"))


def category_names_by_id(category_records: list[dict]) -> dict[int, str]:
    """The `category_names` argument of `map_group`, from a group-categories listing."""
    return {
        record["id"]: category_name(record)
        for record in category_records
        if isinstance(record, dict) and is_int(record.get("id"))
    }


def map_group(record: dict, category_names: dict[int, str]) -> Mapped:
    """Map one group record to Team fields; `MappingError` if it cannot be stored."""
    group_id = record_id(record, "group")
    label = f"group {group_id}"
    short_name = text(
        record.get("short-name"), label=f"{label} short-name", max_length=MAX_LENGTHS["short_name"]
    )
    # A team is found by its name in every ShotSpot screen; the short name is a fair
    # stand-in, but a team with neither could not be told apart from the others.
    name = (
        text(record.get("name"), label=f"{label} name", max_length=MAX_LENGTHS["name"])
        or short_name
    )
    if not name:
        raise MappingError(f"{label} has no name")
    return Mapped(
        twizzit_id=group_id,
        fields={
            "name": name,
            "short_name": short_name,
            "category": _category(record.get("category"), category_names, label=label),
            "logo_url": _logo_url(record.get("image"), label=f"{label} image"),
        },
        refs={
            "season_id": _season_id(record.get("season"), label=f"{label} season"),
            "club_id": _optional_id(record.get("club"), label=f"{label} club"),
        },
        hash=record_hash(record),
    )


def _category(category_id: Any, category_names: dict[int, str], *, label: str) -> str:
    # An unknown or missing category leaves the team uncategorised rather than unsynced.
    name = category_names.get(category_id, "") if is_int(category_id) else ""
    return text(
        name, label=f"{label} category {category_id} name", max_length=MAX_LENGTHS["category"]
    )


def _logo_url(value: Any, *, label: str) -> str:
    url = text(value, label=label, max_length=MAX_LENGTHS["logo_url"])
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise MappingError(f"{label} is not a web address: {url!r}")
    return url


def _season_id(season: Any, *, label: str) -> int | None:
    # Some accounts answer `season: null` even when a season was asked for.
    if season is None:
        return None
    if not isinstance(season, dict):
        raise MappingError(f"{label} is not a season object")
    return _optional_id(season.get("id"), label=f"{label} id")


def _optional_id(value: Any, *, label: str) -> int | None:
    if value is None or value == 0 or value == "":
        return None
    if not is_int(value):
        raise MappingError(f"{label} {value!r} is not a Twizzit id")
    return value
