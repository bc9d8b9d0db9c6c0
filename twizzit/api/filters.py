"""The query parameters of the lists, as django-filter FilterSets.

Filters narrow a list; an invalid value (an unknown status, a date that is not a date) is
a 400 that names the parameter, never a silently ignored filter. `connection` is the id
of a connection everywhere. Conflicts show the pending ones unless `resolution` says
otherwise, because deciding them is what the list is for.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from drf_spectacular.utils import extend_schema_field

from twizzit.models import (
    ConflictType,
    EntityType,
    PlayerMapping,
    Resolution,
    SyncConflict,
    SyncLog,
    SyncStatus,
    SyncTrigger,
    SyncType,
    TeamMapping,
)

MAX_ID = 2**63 - 1  # the largest primary key PostgreSQL and SQLite can hold


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An id: a whole number (NumberFilter alone would take 1.5)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); anything else is an error, not "no filter"."""

    ACCEPTED = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value is None:  # the parameter is absent
            return None
        if isinstance(value, bool):
            return value
        try:
            return self.ACCEPTED[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError("Must be true or false.", code="invalid") from None

    def validate(self, value):
        pass


class BooleanFilter(django_filters.BooleanFilter):
    """A boolean query parameter that refuses what is not a boolean."""

    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        # A plain text widget hands the raw value to the field (django-filter's select
        # widget would quietly turn "maybe" into "no filter").
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment, handed to the database in UTC.

    PostgreSQL takes UTC offsets only up to 15:59 and a moment near year 1 or 9999 may
    leave the calendar once converted; either is an invalid value here, not a crash there.
    """

    def to_python(self, value):
        moment = super().to_python(value)
        try:
            return moment.astimezone(dt.UTC) if moment is not None else None
        except (OverflowError, ValueError):
            raise forms.ValidationError("This moment is out of range.", code="invalid") from None


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class FilterSet(django_filters.FilterSet):
    """A FilterSet where a parameter given empty (`?status=`) is an error, not "no filter".

    Only the free-text `search` may be empty.
    """

    def is_valid(self):
        valid = super().is_valid()
        for name in self.filters:
            if name != "search" and self.data.get(name) == "":
                self.form.add_error(name, "Must not be empty.")
                valid = False
        return valid


class SyncLogFilter(FilterSet):
    connection = IdFilter(field_name="config_id", help_text="Connection id.")
    type = django_filters.ChoiceFilter(field_name="sync_type", choices=SyncType.choices)
    status = django_filters.ChoiceFilter(choices=SyncStatus.choices)
    trigger = django_filters.ChoiceFilter(choices=SyncTrigger.choices)
    dry_run = BooleanFilter()
    created_after = IsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text="Created at or after (ISO 8601)."
    )
    created_before = IsoDateTimeFilter(
        field_name="created_at", lookup_expr="lt", help_text="Created before (ISO 8601)."
    )

    class Meta:
        model = SyncLog
        fields = [
            "connection",
            "type",
            "status",
            "trigger",
            "dry_run",
            "created_after",
            "created_before",
        ]


RESOLVED = "resolved"
ALL = "all"


class ConflictFilter(FilterSet):
    connection = IdFilter(field_name="config_id", help_text="Connection id.")
    resolution = django_filters.ChoiceFilter(
        choices=[*Resolution.choices, (RESOLVED, "Any decision"), (ALL, "All")],
        method="filter_resolution",
        help_text="Pending when left out; `resolved` = any decision; `all` = every conflict.",
    )
    entity_type = django_filters.ChoiceFilter(choices=EntityType.choices)
    conflict_type = django_filters.ChoiceFilter(choices=ConflictType.choices)
    sync_log = IdFilter(field_name="sync_log_id", help_text="Sync log that raised it.")

    class Meta:
        model = SyncConflict
        fields = ["connection", "resolution", "entity_type", "conflict_type", "sync_log"]

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("resolution"):
            queryset = queryset.filter(resolution=Resolution.PENDING)
        return super().filter_queryset(queryset)

    def filter_resolution(self, queryset, name, value):
        if value == ALL:
            return queryset
        if value == RESOLVED:
            return queryset.exclude(resolution=Resolution.PENDING)
        return queryset.filter(resolution=value)


class MappingFilter(FilterSet):
    """What player and team mappings share: connection, tombstones, ignored, search."""

    connection = IdFilter(field_name="config_id", help_text="Connection id.")
    tombstone = BooleanFilter(
        method="filter_tombstone",
        help_text="true: the ShotSpot row was deleted (the mapping points nowhere).",
    )
    ignore_remote = BooleanFilter(
        help_text="true: a person decided this Twizzit record stays out of ShotSpot."
    )
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=200,
        help_text="Part of the name, or the exact Twizzit id.",
    )
    local_attr = ""  # the mapping's pointer to the ShotSpot row
    remote_attr = ""  # the Twizzit id
    name_fields: tuple[str, ...] = ()  # the ShotSpot row's name fields

    def filter_tombstone(self, queryset, name, value):
        return queryset.filter(**{f"{self.local_attr}__isnull": value})

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        match = Q()
        for field in self.name_fields:
            # Tombstones have no row: the name they had lives in the merge base.
            match |= Q(**{f"{self.local_attr}__{field}__icontains": value})
            match |= Q(**{f"base_data__{field}__icontains": value})
        if value.isdigit() and int(value) <= MAX_ID:
            match |= Q(**{self.remote_attr: int(value)})
        return queryset.filter(match)


class PlayerMappingFilter(MappingFilter):
    local_attr = "player"
    remote_attr = "twizzit_contact_id"
    name_fields = ("first_name", "last_name")

    class Meta:
        model = PlayerMapping
        fields = ["connection", "tombstone", "ignore_remote", "search"]


class TeamMappingFilter(MappingFilter):
    local_attr = "team"
    remote_attr = "twizzit_group_id"
    name_fields = ("name",)

    class Meta:
        model = TeamMapping
        fields = ["connection", "tombstone", "ignore_remote", "search"]
