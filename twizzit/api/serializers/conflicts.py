"""Conflicts with their values per field, and how a person resolves them (whole record,
field by field, or many at once)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from twizzit.api.fields import (
    StrictChoiceField,
    StrictIntegerField,
)
from twizzit.api.serializers.common import MAX_ID
from twizzit.models import (
    Resolution,
    SyncConflict,
)
from twizzit.services.access import visible_candidates


# --- conflicts ------------------------------------------------------------------------------
class ConflictFieldSerializer(serializers.Serializer):
    """One field in dispute: the agreed base and what each side holds now."""

    field = serializers.CharField()
    base = serializers.JSONField(allow_null=True)
    shotspot = serializers.JSONField(allow_null=True)
    twizzit = serializers.JSONField(allow_null=True)


class CandidateSerializer(serializers.Serializer):
    """A ShotSpot row a duplicate conflict might be."""

    id = serializers.IntegerField()
    label = serializers.CharField(required=False, allow_blank=True)
    matched_on = serializers.CharField(required=False, allow_blank=True)


class ConflictSerializer(serializers.ModelSerializer):
    connection = serializers.IntegerField(source="config_id", read_only=True)
    twizzit_id = serializers.IntegerField(
        source="twizzit_record_id",
        read_only=True,
        help_text="The Twizzit record's id: a contact, group or season id; a game's event id.",
    )
    twizzit_group_id = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="A game's Twizzit group (the team it was synced for); null for the others.",
    )
    local_id = serializers.SerializerMethodField(help_text="The ShotSpot row, when there is one.")
    label = serializers.SerializerMethodField(help_text="Who or what the conflict is about.")
    fields = serializers.SerializerMethodField(
        method_name="field_values", help_text="Per field: base, ShotSpot, Twizzit."
    )
    candidates = CandidateSerializer(many=True, read_only=True)
    resolved_values = serializers.JSONField(read_only=True, allow_null=True)
    resolved_by = serializers.CharField(
        source="resolved_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = SyncConflict
        fields = [
            "id",
            "connection",
            "sync_log",
            "entity_type",
            "twizzit_id",
            "twizzit_group_id",
            "local_id",
            "label",
            "conflict_type",
            "fields",
            "candidates",
            "resolution",
            "resolved_values",
            "resolved_by",
            "resolved_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, conflict):
        data = super().to_representation(conflict)
        request = self.context.get("request")
        if request is not None and data.get("candidates"):
            # Only candidates of the caller's clubs: another club's player is not disclosed.
            allowed = {c["id"] for c in visible_candidates(conflict, request.user)}
            data["candidates"] = [c for c in data["candidates"] if c["id"] in allowed]
        return data

    def get_local_id(self, conflict) -> int | None:
        row = conflict.local_row()
        return row.pk if row is not None else None

    def get_label(self, conflict) -> str:
        return conflict.subject_name()

    @extend_schema_field(ConflictFieldSerializer(many=True))
    def field_values(self, conflict) -> list[dict]:
        names = conflict.fields or sorted(
            {*conflict.twizzit_data, *conflict.shotspot_data, *conflict.base_data}
        )
        return [
            {
                "field": name,
                "base": conflict.base_data.get(name),
                "shotspot": conflict.shotspot_data.get(name),
                "twizzit": conflict.twizzit_data.get(name),
            }
            for name in names
        ]


RESOLUTIONS = [
    choice
    for choice in Resolution.choices
    # not a person's choice
    if choice[0] not in (Resolution.PENDING, Resolution.SUPERSEDED, Resolution.ERASED)
]
BULK_RESOLUTIONS = [
    choice for choice in RESOLUTIONS if choice[0] not in (Resolution.PENDING, Resolution.MANUAL)
]


class ResolveSerializer(serializers.Serializer):
    resolution = StrictChoiceField(choices=RESOLUTIONS)
    values = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        required=False,
        default=dict,
        help_text=(
            'For "manual": field → value for a data mismatch; {"local_id": id} to link a '
            "duplicate to an existing ShotSpot row."
        ),
    )
    fields = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text=(
            'For "manual" on a data mismatch, field by field: "twizzit", "shotspot" or '
            '{"value": …} for every conflicting field, e.g. {"jersey_number": "twizzit", '
            '"email": "shotspot", "phone": {"value": "+32470000000"}}.'
        ),
    )

    def validate(self, attrs):
        if "fields" in attrs:
            if attrs["resolution"] != Resolution.MANUAL:
                raise serializers.ValidationError(
                    {"fields": ['Field-by-field decisions go with resolution "manual".']}
                )
            if attrs.get("values"):
                raise serializers.ValidationError(
                    {"fields": ["Give either fields or values, not both."]}
                )
        return attrs


class BulkResolveSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=1000,
        help_text="Conflict ids; ones already resolved are reported by the task, not here.",
    )
    resolution = StrictChoiceField(
        choices=BULK_RESOLUTIONS, help_text="Manual values are decided one conflict at a time."
    )


class BulkResolveAcceptedSerializer(serializers.Serializer):
    task_id = serializers.CharField(help_text="The background task resolving them.")
    pending = serializers.IntegerField(help_text="How many of the ids are pending conflicts.")
