"""Twizzit events → ShotSpot games: which events are games, and what each game holds.

No public client shows a full event record, so this reads the *working shape* of
docs/reference.md and accepts the variants listed there:

- `start`, `end`, `meeting-time`: "YYYY-MM-DD HH:MM:SS" in Europe/Brussels local time,
  ISO 8601 with an offset, or null / "" (a meeting time may also be a bare "HH:MM" on the
  day of the start). Values are stored as UTC ISO strings, the form the merge compares;
- `event-type` an int or an object with `id`; `event-sub-type` an int, an object or null;
- `event-groups` a list of group ids or of objects carrying `id`, `group-id` or `groupId`;
- `address` the contacts' address object, a string or null; `score` "" / null or
  "12-10"-like text (home first); `series` an int, a list of ints or null;
- `cancelled` (yes/no) or a `status` text may say the event is called off; other keys are
  ignored.

An event is a game when its type, or else its sub-type, is named like a match in any
language ("Match", "Wedstrijd", "Compétition", …); the connection's overrides (event type
id → "game" / "skip") settle what the names cannot. The name "KC Antwerpen 1 -
Boeckenberg 2" reads home first: the side that names the ShotSpot team tells home or away,
the other side is the opponent. Plain Python, dict in and dict out, like every mapper.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from twizzit.mappers.base import MappingError, _kind, flag, is_int, record_id, text

GAME, SKIP = "game", "skip"
TWIZZIT_ZONE = ZoneInfo("Europe/Brussels")
# Folded (lower case, no accents) fragments of a match's name in EN, NL and FR; a
# fragment, because Dutch glues words: "Competitiewedstrijd", "Bekerwedstrijd".
MATCH_WORDS = ("match", "wedstrijd", "game", "competitie", "competition", "championnat")
CANCELLED_WORDS = ("cancelled", "canceled", "geannuleerd", "afgelast", "annule", "annulee")
SIDE_SEPARATOR = re.compile(r"\s+(?:-|\u2013|\u2014|vs\.?|tegen|contre)\s+", re.IGNORECASE)
SCORE = re.compile(r"(\d{1,3})\s*[-:\u2013]\s*(\d{1,3})")
LOCAL_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?")
CLOCK_TIME = re.compile(r"\d{2}:\d{2}(:\d{2})?")
GROUP_ID_KEYS = ("id", "group-id", "groupId")
# Model column sizes (shotspot.models.Game); tests hold the two equal.
MAX_LENGTHS = {"opponent": 200, "venue": 300, "competition": 200}
# A mapping's key packs (event, group) into one integer: event * 10**9 + group.
KEY_FACTOR = 10**9
MAX_EVENT_ID = (2**63 - 1) // KEY_FACTOR - 1


# --- which events are games ---------------------------------------------------------------
def fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def names_a_match(names: Any) -> bool:
    """Whether a name (a string, or a language map) names a match in any language."""
    if isinstance(names, str):
        names = {"EN": names}
    if not isinstance(names, dict):
        return False
    return any(
        isinstance(name, str) and any(word in fold(name) for word in MATCH_WORDS)
        for name in names.values()
    )


def names_by_id(records: Iterable[Any]) -> dict[int, Any]:
    """{id: name} of an event-types or event-sub-types listing; odd records are left out."""
    return {
        record["id"]: record.get("name")
        for record in records
        if isinstance(record, dict) and is_int(record.get("id"))
    }


def game_type_overrides(overrides: dict) -> dict[int, bool]:
    """The connection's `event_type_overrides` ({"4": "game", "7": "skip"}), validated.

    A key that is not an event type id, or a value other than game / skip, raises
    `MappingError`: a typo there would silently import trainings or drop matches.
    """
    if not isinstance(overrides, dict):
        raise MappingError("event type overrides must be an object of type id → game / skip")
    decided = {}
    for key, choice in overrides.items():
        if is_int(key):
            type_id = key
        elif isinstance(key, str) and re.fullmatch(r"[0-9]+", key.strip()):
            type_id = int(key.strip())
        else:
            raise MappingError(f"event type override key {key!r} is not an event type id")
        folded = choice.strip().lower() if isinstance(choice, str) else choice
        if folded not in (GAME, SKIP):
            raise MappingError(
                f"event type override for type {key} is {choice!r}; choose game or skip"
            )
        decided[type_id] = folded == GAME
    return decided


def is_game(
    type_id: int | None,
    sub_type_id: int | None,
    *,
    type_names: dict[int, Any],
    sub_type_names: dict[int, Any],
    overrides: dict[int, bool],
) -> bool:
    """An override of the type decides; else the type's name, then the sub-type's."""
    if type_id in overrides:
        return overrides[type_id]
    if names_a_match(type_names.get(type_id)):
        return True
    return sub_type_id is not None and names_a_match(sub_type_names.get(sub_type_id))


# --- reading an event ----------------------------------------------------------------------
def event_refs(record: Any) -> dict:
    """{id, type_id, sub_type_id, group_ids} of an event: what routes it, before mapping."""
    event_id = record_id(record, "event")
    if event_id > MAX_EVENT_ID:
        raise MappingError(f"event id {event_id} is larger than ShotSpot can key")
    return {
        "id": event_id,
        "type_id": _ref(record.get("event-type"), f"event {event_id} event-type"),
        "sub_type_id": _ref(record.get("event-sub-type"), f"event {event_id} event-sub-type"),
        "group_ids": _group_ids(record.get("event-groups"), event_id),
    }


def game_key(event_id: int, group_id: int) -> int:
    """The one integer that names "this event, for this team"."""
    if not 0 < group_id < KEY_FACTOR:
        raise MappingError(f"group id {group_id} of event {event_id} is out of range")
    return event_id * KEY_FACTOR + group_id


def map_game(record: dict, *, team_names: Iterable[str] = (), sub_type_name: Any = None) -> dict:
    """The Game field values of one event, seen from the team called one of `team_names`."""
    event_id = record_id(record, "event")
    label = f"event {event_id}"
    start = moment(record.get("start"), label=f"{label} start")
    if start is None:
        raise MappingError(f"{label} has no start, so it cannot be a game")
    day = datetime.fromisoformat(start).astimezone(TWIZZIT_ZONE).date()
    name = text(record.get("name"), label=f"{label} name")
    is_home, opponent = sides(name, team_names)
    if not opponent:
        raise MappingError(f"{label} has no name, so its opponent is unknown")
    home_score, away_score = score(record.get("score"), label=f"{label} score")
    values = {
        "opponent": opponent,
        "is_home": is_home,
        "start": start,
        "end": moment(record.get("end"), label=f"{label} end", day=day),
        "meeting_time": moment(record.get("meeting-time"), label=f"{label} meeting-time", day=day),
        "venue": venue(record.get("address"), label=f"{label} address"),
        "competition": competition(sub_type_name, record.get("series"), label=label),
        "status": status(record, label=label, played=home_score is not None),
        "home_score": home_score,
        "away_score": away_score,
    }
    for field, limit in MAX_LENGTHS.items():
        if len(values[field]) > limit:
            raise MappingError(
                f"{label} {field} is {len(values[field])} characters long; "
                f"ShotSpot keeps at most {limit}"
            )
    return values


def moment(value: Any, *, label: str, day: date | None = None) -> str | None:
    """A UTC ISO datetime string, or None for null / ""; naive times are Brussels time."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise MappingError(f"{label} is {_kind(value)}, not a date and time")
    raw = value.strip()
    try:
        if day is not None and CLOCK_TIME.fullmatch(raw):
            parsed = datetime.combine(day, time.fromisoformat(raw))
        elif LOCAL_MOMENT.match(raw):
            parsed = datetime.fromisoformat(raw)
        else:
            raise ValueError
    except ValueError:
        raise MappingError(
            # The value is not quoted: an entry of the sync log never repeats a record's data.
            f"{label} is not a date and time in a form Twizzit uses "
            "(YYYY-MM-DD HH:MM:SS or ISO 8601)"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=TWIZZIT_ZONE)
    return parsed.astimezone(UTC).isoformat()


def sides(name: str, team_names: Iterable[str]) -> tuple[bool | None, str]:
    """(home?, opponent) from "Home - Away"; (None, name) when no side names the team."""
    parts = SIDE_SEPARATOR.split(name, maxsplit=1)
    if len(parts) != 2:
        return None, name
    home, away = (part.strip() for part in parts)
    ours = [fold(team).strip() for team in team_names if team and team.strip()]

    def names_us(side: str, exact: bool) -> bool:
        side = fold(side)
        return any(side == team or (not exact and side.endswith(f" {team}")) for team in ours)

    for exact in (True, False):
        home_is_us, away_is_us = names_us(home, exact), names_us(away, exact)
        if home_is_us != away_is_us:
            return (True, away) if home_is_us else (False, home)
    return None, name


def score(value: Any, *, label: str) -> tuple[int | None, int | None]:
    """(home, away) from "12-10"; (None, None) when there is no score yet."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    found = SCORE.fullmatch(value.strip()) if isinstance(value, str) else None
    if found is None:
        raise MappingError(f"{label} is not a score like 12-10")
    return int(found.group(1)), int(found.group(2))


def venue(address: Any, *, label: str) -> str:
    """One line: "Sportlaan 1 bus 2, 2000 Antwerpen"; a string as is; null as ""."""
    if address is None or isinstance(address, str):
        return text(address, label=label)
    if not isinstance(address, dict):
        raise MappingError(f"{label} is {_kind(address)}, neither an address nor text")

    def part(*keys: str) -> str:
        for key in keys:
            value = address.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
                return str(value).strip()
        return ""

    street = " ".join(filter(None, [part("street"), part("number")]))
    box = part("box")
    if box:
        street = f"{street} bus {box}"
    place = " ".join(filter(None, [part("postalCode", "postal-code", "zip"), part("city")]))
    return ", ".join(filter(None, [part("name", "location"), street, place]))


def competition(sub_type_name: Any, series: Any, *, label: str) -> str:
    """The sub-type's name (e.g. "Competition match") and the series ids, if any."""
    if series is None or series == "":
        series_ids = []
    elif is_int(series):
        series_ids = [series]
    elif isinstance(series, list) and all(is_int(item) for item in series):
        series_ids = series
    else:
        raise MappingError(f"{label} series is {_kind(series)}, not a series id or list of ids")
    kind = _first_name(sub_type_name)
    shown = f"series {', '.join(str(item) for item in series_ids)}" if series_ids else ""
    if kind and shown:
        return f"{kind} ({shown})"
    return kind or shown


def status(record: dict, *, label: str, played: bool) -> str:
    called_off = flag(record.get("cancelled"), label=f"{label} cancelled")
    state = record.get("status")
    if isinstance(state, str) and fold(state.strip()) in CANCELLED_WORDS:
        called_off = True
    if called_off:
        return "cancelled"
    return "played" if played else "scheduled"


def _first_name(names: Any) -> str:
    if isinstance(names, str):
        return names.strip()
    if isinstance(names, dict):
        for language in ("EN", "NL", "FR"):
            value = names.get(language)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return ""


def _ref(value: Any, label: str) -> int | None:
    if value is None or value == "":
        return None
    if is_int(value):
        return value
    if isinstance(value, dict) and is_int(value.get("id")):
        return value["id"]
    raise MappingError(f"{label} is {_kind(value)}, not an id or an object with an id")


def _group_ids(groups: Any, event_id: int) -> list[int]:
    if groups is None:
        return []
    if not isinstance(groups, list):
        raise MappingError(f"event {event_id} event-groups is {_kind(groups)}, not a list")
    found = []
    for item in groups:
        group_id = item
        if isinstance(item, dict):
            group_id = next((item[key] for key in GROUP_ID_KEYS if is_int(item.get(key))), None)
        if not is_int(group_id):
            raise MappingError(f"event {event_id} has a group without an id ({_kind(item)})")
        if group_id not in found:
            found.append(group_id)
    return found
