"""Twizzit group-contacts → roster links, and contact functions → ShotSpot roles.

A roster row links a contact to a group with a "contact function" (Player, Coach, …).
Functions are the club's own records, named in up to three languages, so a club in
Antwerp says "Speler" where a club in Namur says "Joueur". `role_map` turns the club's
functions into ShotSpot's four roles by name, in any language, ignoring case and
accents; the connection's `role_overrides` settle what the names cannot.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from twizzit.mappers.base import MappingError, is_int

PLAYER, COACH, STAFF, OTHER = "player", "coach", "staff", "other"
# Mirrors shotspot.models.TeamRole; tests hold the two equal.
ROLES = (PLAYER, COACH, STAFF, OTHER)

# Whole function names, not fragments: "Spelersbegeleider" (a helper) is no player.
ROLE_NAMES = {
    PLAYER: ("Player", "Speler", "Spelers", "Joueur", "Joueuse"),
    COACH: ("Coach", "Trainer", "Entraîneur", "Hoofdtrainer", "Assistent-trainer"),
    STAFF: (
        "Team manager",
        "Ploegverantwoordelijke",
        "Délégué",
        "Afgevaardigde",
        "Staff",
        "Kinesist",
        "Verzorger",
    ),
}
# Where a function's languages disagree, the earlier language decides.
LANGUAGE_ORDER = ("EN", "NL", "FR")

# A contact on a roster without a function is, in practice, a player of that team.
ROLE_WITHOUT_FUNCTION = PLAYER
# A function unknown to the listing (added since it was read) could be anything.
ROLE_OF_UNKNOWN_FUNCTION = OTHER

SEPARATORS = re.compile(r"[\s\-_]+")


def map_group_contact(row: dict) -> tuple[int, int, int | None]:
    """(group id, contact id, contact function id or None) of one group-contacts row."""
    if not isinstance(row, dict):
        raise MappingError("group-contact row is not an object")
    group_id, contact_id = row.get("groupId"), row.get("contactId")
    for key, value in (("groupId", group_id), ("contactId", contact_id)):
        if not is_int(value):
            raise MappingError(f"group-contact row has no integer {key}")
    function_id = row.get("contactFunctionId")
    if function_id is not None and not is_int(function_id):
        raise MappingError(
            f"group-contact row of contact {contact_id} has a non-integer contactFunctionId"
        )
    return group_id, contact_id, function_id


def role_map(function_records: list[dict], overrides: dict | None = None) -> dict[int, str]:
    """{contact function id: role} for a club's functions; `overrides` win.

    `overrides` is the connection's `role_overrides` ({"12": "staff"}; keys may be str
    or int). A key that is not an id or a role ShotSpot does not have raises
    `MappingError`: a typo there would silently give every such member the wrong role.
    Function records without an integer id are skipped: no roster row can point at them.
    """
    roles = {
        record["id"]: _role_by_name(record.get("name"))
        for record in function_records
        if isinstance(record, dict) and is_int(record.get("id"))
    }
    for key, role in (overrides or {}).items():
        roles[_override_id(key)] = _override_role(key, role)
    return roles


def role_for(function_id: int | None, roles: dict[int, str]) -> str:
    """The role of a roster row's function; see ROLE_WITHOUT_FUNCTION for None."""
    if function_id is None:
        return ROLE_WITHOUT_FUNCTION
    return roles.get(function_id, ROLE_OF_UNKNOWN_FUNCTION)


def _fold(name: str) -> str:
    """Case, accents and separators removed: "Entraîneur" ≡ "ENTRAINEUR", "a-b" ≡ "a b"."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return SEPARATORS.sub(" ", bare).strip().casefold()


ROLE_BY_FOLDED_NAME = {_fold(name): role for role, names in ROLE_NAMES.items() for name in names}


def _role_by_name(names: Any) -> str:
    if isinstance(names, str):
        names = {"EN": names}
    if not isinstance(names, dict):
        return OTHER
    ordered = [*LANGUAGE_ORDER, *(key for key in names if key not in LANGUAGE_ORDER)]
    for language in ordered:
        name = names.get(language)
        if isinstance(name, str) and _fold(name) in ROLE_BY_FOLDED_NAME:
            return ROLE_BY_FOLDED_NAME[_fold(name)]
    return OTHER


def _override_id(key: Any) -> int:
    if is_int(key):
        return key
    if isinstance(key, str) and re.fullmatch(r"[0-9]+", key.strip()):
        return int(key.strip())
    raise MappingError(f"role override key {key!r} is not a contact function id")


def _override_role(key: Any, role: Any) -> str:
    folded = role.strip().lower() if isinstance(role, str) else role
    if folded not in ROLES:
        raise MappingError(
            f"role override for contact function {key} names unknown role {role!r}; "
            f"choose one of {', '.join(ROLES)}"
        )
    return folded
