"""Deciding a conflict the way a person reads it: field by field, with distinct options.

A "changed on both sides" conflict names the fields that differ. A person decides each:

- `"shotspot"`: keep ShotSpot's value;
- `"twizzit"`: take Twizzit's value;
- `{"value": x}`: a value they type (validated like the model's own form field).

`resolve_fields` turns those decisions into one call of `resolve_conflict` (the only
code that closes a conflict): all "twizzit" is *Twizzit wins*, all "shotspot" is
*ShotSpot wins*, anything mixed is *manual* with the values of the fields that change.
Every path moves the merge base to Twizzit's values, so a field kept at ShotSpot's value
stays a local edit the next sync leaves alone, and that sync asks nothing.

The admin and the REST API call this same function, so they refuse the same things with
the same messages: a field not in conflict, a field left undecided, an unknown choice, a
typed value the field does not accept (the message sits on that field's name).

`DISTINCT_CHOICES` is what a person is offered per kind of conflict: the resolution
service accepts more names (ignored is kept for API clients and bulk actions), but
where two of them would do the same thing only one is shown.
"""

from __future__ import annotations

from twizzit.models import ConflictType, EntityType, Resolution, SyncConflict
from twizzit.sync.resolution import CHOICES, ResolutionError, resolve_conflict

SHOTSPOT = "shotspot"
TWIZZIT = "twizzit"
TYPED = "value"

# Per kind: the decisions with different effects, in the words a club admin reads.
DISTINCT_CHOICES = {
    ConflictType.DATA_MISMATCH: {
        Resolution.TWIZZIT_WINS: "Use Twizzit's values for every field",
        Resolution.SHOTSPOT_WINS: "Keep ShotSpot's values for every field",
        Resolution.MANUAL: "Decide field by field",
    },
    ConflictType.DUPLICATE: dict(CHOICES[ConflictType.DUPLICATE]),
    ConflictType.DELETED_IN_TWIZZIT: {
        Resolution.TWIZZIT_WINS: "Archive it in ShotSpot",
        Resolution.SHOTSPOT_WINS: "Keep it in ShotSpot, no longer synced with Twizzit",
    },
    ConflictType.DELETED_IN_SHOTSPOT: {
        Resolution.TWIZZIT_WINS: "Recreate it in ShotSpot from Twizzit",
        Resolution.SHOTSPOT_WINS: "Keep it deleted; the sync stops asking",
    },
}


# Where a decision does something else to a game than to a player, the words say so.
GAME_WORDS = {
    (ConflictType.DELETED_IN_TWIZZIT, Resolution.TWIZZIT_WINS): "Cancel the game in ShotSpot",
}


def choices_for(conflict: SyncConflict) -> dict:
    """`DISTINCT_CHOICES` of the conflict's kind, in the words of its record's kind."""
    choices = dict(DISTINCT_CHOICES[conflict.conflict_type])
    return {resolution: words(conflict, resolution, text) for resolution, text in choices.items()}


def words(conflict: SyncConflict, resolution: str, text: str) -> str:
    if conflict.entity_type == EntityType.GAME:
        text = GAME_WORDS.get((conflict.conflict_type, resolution), text)
    if resolution == Resolution.MANUAL and conflict.conflict_type == ConflictType.DUPLICATE:
        text = text.replace("player", conflict.get_entity_type_display().lower())
    return text


def decision_label(conflict: SyncConflict) -> str:
    """What was decided, in words, for a resolved conflict."""
    if conflict.resolution in (Resolution.SUPERSEDED, Resolution.ERASED):
        return Resolution(conflict.resolution).label
    if (
        conflict.conflict_type == ConflictType.DATA_MISMATCH
        and conflict.resolution == Resolution.MANUAL
    ):
        return "Decided field by field"
    text = CHOICES[conflict.conflict_type].get(
        conflict.resolution, conflict.get_resolution_display()
    )
    return words(conflict, conflict.resolution, text)


def parse_decisions(conflict: SyncConflict, decisions) -> dict:
    """{field: "shotspot" | "twizzit" | {"value": x}} checked against the conflict's fields."""
    if conflict.conflict_type != ConflictType.DATA_MISMATCH:
        raise ResolutionError(
            "Field-by-field decisions are for “changed on both sides” conflicts; this one is "
            f"“{conflict.get_conflict_type_display().lower()}”.",
            code="fields",
        )
    if not isinstance(decisions, dict) or not decisions:
        raise ResolutionError(
            "Decide each conflicting field: " + ", ".join(conflict.fields) + ".", code="fields"
        )
    errors = {}
    unknown = sorted(set(decisions) - set(conflict.fields))
    if unknown:
        errors["__all__"] = [f"These fields are not in conflict: {', '.join(unknown)}."]
    for name in conflict.fields:
        decision = decisions.get(name)
        if decision is None:
            errors[name] = ["Choose ShotSpot, Twizzit or a value for this field."]
        elif isinstance(decision, dict):
            if set(decision) != {TYPED}:
                errors[name] = ['A typed value is written {"value": …}.']
        elif decision not in (SHOTSPOT, TWIZZIT):
            errors[name] = [f'Choose "shotspot", "twizzit" or {{"value": …}}, not {decision!r}.']
    if errors:
        raise ResolutionError(errors, code="fields")
    return {name: decisions[name] for name in conflict.fields}


def resolve_fields(conflict: SyncConflict, decisions, user=None) -> SyncConflict:
    """Apply a field-by-field decision through `resolve_conflict`; returns the conflict."""
    decisions = parse_decisions(conflict, decisions)
    kinds = {d if isinstance(d, str) else TYPED for d in decisions.values()}
    if kinds == {TWIZZIT}:
        return resolve_conflict(conflict, Resolution.TWIZZIT_WINS, user=user)
    if kinds == {SHOTSPOT}:
        return resolve_conflict(conflict, Resolution.SHOTSPOT_WINS, user=user)
    values = {}
    for name, decision in decisions.items():
        if decision == TWIZZIT:
            values[name] = conflict.twizzit_data.get(name)
        elif isinstance(decision, dict):
            values[name] = decision[TYPED]
    # Fields kept at ShotSpot's value are not written: the base moves to Twizzit's value,
    # so the next sync sees a local edit and keeps it.
    return resolve_conflict(conflict, Resolution.MANUAL, values=values, user=user)


def applied_rows(conflict: SyncConflict) -> list[dict]:
    """A resolved conflict's outcome as rows {name, field, value[, kept]} for a person."""
    applied = conflict.resolved_values or {}
    if conflict.conflict_type != ConflictType.DATA_MISMATCH:
        return [
            {"name": name, "field": OUTCOMES.get(name, label(name)), "value": f"#{value}"}
            for name, value in applied.items()
        ]
    rows = []
    for name in conflict.fields:
        if name in applied:
            rows.append({"name": name, "field": label(name), "value": applied[name]})
        elif conflict.resolution in (Resolution.SHOTSPOT_WINS, Resolution.MANUAL, "ignored"):
            rows.append({"name": name, "field": label(name), "value": None, "kept": True})
    return rows


# What the other kinds' resolutions record, in words (the value is a ShotSpot row's id).
OUTCOMES = {
    "created": "Created ShotSpot row",
    "local_id": "Linked to ShotSpot row",
    "archived": "Archived ShotSpot row",
    "cancelled": "Cancelled ShotSpot game",
    "unlinked": "Unlinked from Twizzit, kept",
}


def label(name: str) -> str:
    """A field name as a person reads it: "jersey_number" → "Jersey number"."""
    return name.removesuffix("_id").replace("_", " ").capitalize()
