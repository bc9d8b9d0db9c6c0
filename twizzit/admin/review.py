"""What the conflict review screen shows and asks: values in words, and the two forms.

- `shown(...)`: a stored value as a person reads it (a season's name for `season_id`, a
  team's for `team_id`, a game's kick-off in the configured zone, "Female" for "female",
  "Yes"/"No", a date in the local format, "—" for nothing).
- `FieldDecisionForm`: a "changed on both sides" conflict, one row per conflicting field:
  ShotSpot's value, Twizzit's value, or a value typed in. It builds the decisions that
  `twizzit.sync.field_decisions.resolve_fields` takes, and puts that service's refusals back on
  the fields they name.
- `DecisionForm`: the other kinds, the distinct decisions of `choices_for` (and for
  a duplicate, which candidate to link).
"""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import date_format

from shotspot.models import Club, Season, Team
from twizzit.models import ConflictType, Resolution
from twizzit.sync.field_decisions import SHOTSPOT, TWIZZIT, TYPED, choices_for, label
from twizzit.sync.resolution import SPECS

TYPED_CHOICE = "typed"
RELATED = {"season_id": Season, "club_id": Club, "team_id": Team}


def shown(value, name: str, entity_type: str) -> str:
    """A JSON-safe field value in words."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name in RELATED:
        row = RELATED[name].objects.filter(pk=value).first()
        return str(row) if row else f"#{value} (deleted)"
    spec = SPECS.get(entity_type)
    if spec is not None:
        try:
            field = spec.model._meta.get_field(name)
        except Exception:
            field = None
        if field is not None and field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if field is not None and field.get_internal_type() == "DateTimeField":
            try:  # a game's kick-off: in the configured zone, not UTC's ISO form
                moment = timezone.localtime(datetime.datetime.fromisoformat(value))
            except (TypeError, ValueError):
                return str(value)
            return date_format(moment, "DATETIME_FORMAT")
        if field is not None and field.get_internal_type() == "DateField":
            try:
                return date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
            except (TypeError, ValueError):
                return str(value)
    return str(value)


class FieldDecisionForm(forms.Form):
    """Per conflicting field: keep ShotSpot's value, take Twizzit's, or type one."""

    def __init__(self, conflict, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = conflict
        for name in conflict.fields:
            shotspot = shown(conflict.shotspot_data.get(name), name, conflict.entity_type)
            twizzit = shown(conflict.twizzit_data.get(name), name, conflict.entity_type)
            self.fields[choice_field(name)] = forms.ChoiceField(
                label=label(name),
                widget=forms.RadioSelect,
                choices=[
                    (SHOTSPOT, f"ShotSpot: {shotspot}"),
                    (TWIZZIT, f"Twizzit: {twizzit}"),
                    (TYPED_CHOICE, "A value I type:"),
                ],
                error_messages={"required": "Choose ShotSpot, Twizzit or a value."},
            )
            self.fields[value_field(name)] = forms.CharField(
                required=False,
                label=f"{label(name)}: the value to use",
                initial=conflict.shotspot_data.get(name),
            )

    def rows(self):
        """[(name, choice bound field, value bound field, base shown)] for the template."""
        return [
            {
                "field": label(name),
                "base": shown(self.conflict.base_data.get(name), name, self.conflict.entity_type),
                "choice": self[choice_field(name)],
                "value": self[value_field(name)],
            }
            for name in self.conflict.fields
        ]

    def decisions(self) -> dict:
        decisions = {}
        for name in self.conflict.fields:
            choice = self.cleaned_data[choice_field(name)]
            if choice == TYPED_CHOICE:
                decisions[name] = {TYPED: self.cleaned_data[value_field(name)]}
            else:
                decisions[name] = choice
        return decisions

    def add_resolution_error(self, error) -> None:
        """Show the service's refusal on the field it names, or above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for name, messages in error.message_dict.items():
            target = None
            for candidate in (name, f"{name}_id"):
                if value_field(candidate) in self.fields:
                    typed = self.data.get(choice_field(candidate)) == TYPED_CHOICE
                    target = value_field(candidate) if typed else choice_field(candidate)
            self.add_error(target, messages)


class DecisionForm(forms.Form):
    """Duplicates and deletions: one of the distinct decisions their kind allows."""

    resolution = forms.ChoiceField(widget=forms.RadioSelect, label="Decision")

    def __init__(self, conflict, candidates=(), *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = conflict
        self.fields["resolution"].choices = list(choices_for(conflict).items())
        if conflict.conflict_type == ConflictType.DUPLICATE:
            self.fields["local_id"] = forms.TypedChoiceField(
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
                label="Link to",
                choices=[(c["id"], c["title"]) for c in candidates],
                help_text=f"With “{choices_for(conflict)[Resolution.MANUAL]}”.",
            )

    def values(self) -> dict | None:
        if self.cleaned_data["resolution"] != Resolution.MANUAL:
            return None
        return {"local_id": self.cleaned_data.get("local_id")}

    def add_resolution_error(self, error) -> None:
        if getattr(error, "code", None) == "local_id" and "local_id" in self.fields:
            self.add_error("local_id", error.messages)
        else:
            self.add_error(None, error.messages)


def choice_field(name: str) -> str:
    return f"decide_{name}"


def value_field(name: str) -> str:
    return f"value_{name}"
