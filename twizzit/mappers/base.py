"""What every mapper shares: the result type, the error, the record hash, and small readers.

A mapper turns one raw Twizzit record into a `Mapped`: the values of ShotSpot model
fields (`fields`), the Twizzit ids of related records (`refs`) and a hash of the raw
record, so the sync engine can skip a record that did not change since the last run.
A record that cannot be mapped at all (not an object, no integer id, no name) raises
`MappingError` with a message a club admin can act on; the engine records it and goes on
with the next record. One value that cannot be stored raises `ValueRefused`, a
`MappingError` that also says which rule refused it: a mapper that can keep the rest of
the record (contacts) catches it per field and lists the field in `Mapped.refused`, so a
typo in an address never costs a player. Coaches read these messages,
so they name the record and the field but never quote a value: a date of birth, an
address or an account number would leak through a quoted excerpt.

The readers below accept what Twizzit really sends (empty strings more often than null,
see docs/mapping.md) and refuse what would store a wrong value. Everything here is plain
Python: no Django, no I/O, so the mappers are tested dict in, dict out.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
LANGUAGES = ("EN", "NL", "FR")


class MappingError(ValueError):
    """A Twizzit record that cannot become ShotSpot data; the message says why."""


class ValueRefused(MappingError):
    """One value ShotSpot's rules refuse. `rule` says which, in words, without the value."""

    def __init__(self, label: str, rule: str):
        super().__init__(f"{label} {rule}")
        self.rule = rule


@dataclass(frozen=True)
class Mapped:
    """One Twizzit record, mapped: ShotSpot field values, related Twizzit ids, raw hash."""

    twizzit_id: int
    fields: dict[str, Any]
    refs: dict[str, Any]
    # Required on purpose: an empty hash would equal a new mapping's empty remote_hash
    # and make a first sync look "unchanged".
    hash: str
    # ShotSpot field → the rule that refused Twizzit's value. A refused field is absent
    # from `fields`: the record is written without it (blank on create, unchanged on update).
    refused: dict[str, str] = field(default_factory=dict)
    # Things worth a warning that cost nothing ("two addresses in one slot: the first kept").
    notes: tuple[str, ...] = ()


def record_hash(record: dict) -> str:
    """sha256 of the record's canonical JSON: equal records hash equal, whatever key order."""
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def is_int(value: Any) -> bool:
    # bool is an int subclass, but True is never a Twizzit id or jersey number.
    return isinstance(value, int) and not isinstance(value, bool)


def require_record(record: Any, entity: str) -> dict:
    if not isinstance(record, dict):
        raise MappingError(f"{entity} record is not an object (got {_kind(record)})")
    return record


def record_id(record: Any, entity: str) -> int:
    """The record's own Twizzit id, which must be an int (a string id means a changed API)."""
    value = require_record(record, entity).get("id")
    if not is_int(value):
        raise MappingError(f"{entity} record has no integer id (got {_kind(value)})")
    return value


def text(value: Any, *, label: str, max_length: int | None = None) -> str:
    """A stripped string; null becomes "". `label` names the record and field in errors."""
    if value is None:
        return ""
    if is_int(value):
        # Registry numbers and the like are strings in Twizzit, but a bare number is the same.
        value = str(value)
    if not isinstance(value, str):
        raise ValueRefused(label, f"is not text (got {_kind(value)})")
    if "\x00" in value:
        # No database text column holds a NUL: one would roll back the whole page.
        raise ValueRefused(label, "contains a NUL character, which ShotSpot cannot store")
    value = value.strip()
    if max_length is not None and len(value) > max_length:
        raise ValueRefused(
            label, f"is {len(value)} characters long; ShotSpot keeps at most {max_length}"
        )
    return value


def iso_date(value: Any, *, label: str) -> str | None:
    """A "YYYY-MM-DD" string that is a real calendar date, or None for null / ""."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    candidate = value.strip() if isinstance(value, str) else value
    if not isinstance(candidate, str) or not ISO_DATE.fullmatch(candidate):
        raise ValueRefused(label, "is not a date in the form YYYY-MM-DD")
    try:
        return date.fromisoformat(candidate).isoformat()
    except ValueError:
        raise ValueRefused(label, "is not a real calendar date") from None


def flag(value: Any, *, label: str) -> bool:
    """A yes/no value; null is no. Anything that is not clearly yes or no is an error."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if is_int(value) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("", "0", "false", "1", "true"):
        return value.strip().lower() in ("1", "true")
    raise ValueRefused(label, f"is not true or false (got {_kind(value)})")


def first_translation(names: Any) -> str:
    """The first non-empty of a Twizzit language map's EN, NL, FR (a plain string as is)."""
    if isinstance(names, str):
        return names.strip()
    if not isinstance(names, dict):
        return ""
    for language in LANGUAGES:
        value = names.get(language)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _kind(value: Any) -> str:
    """What a value is, in words, without its content: "text", "a list", "null"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if is_int(value):
        return "a number"
    return {str: "text", list: "a list", dict: "an object", float: "a number"}.get(
        type(value), type(value).__name__
    )
