"""Connections: the write-only password, the same validation as the CLI and the admin,
and the credential check's report."""

from __future__ import annotations

from rest_framework import serializers

from shotspot.models import TeamRole
from twizzit.api.fields import (
    EmailListField,
    StrictCharField,
    StrictChoiceField,
    StrictIntegerField,
    StrictModelSerializer,
    StrictURLField,
)
from twizzit.api.serializers.common import MAX_INT
from twizzit.mappers import events, rosters
from twizzit.mappers.base import MappingError
from twizzit.models import (
    TwizzitConfig,
)
from twizzit.services.connections import create_connection, update_connection
from twizzit.validators import validate_api_base_url


# --- connections --------------------------------------------------------------------------
def check_role_overrides(value):
    """The mapper's own rule: ids that are whole numbers, roles ShotSpot has."""
    try:
        rosters.role_map([], value)
    except MappingError as exc:
        raise serializers.ValidationError(str(exc)) from None
    return value


def check_event_type_overrides(value):
    """The mapper's own rule: event type ids that are whole numbers, game or skip."""
    try:
        events.game_type_overrides(value)
    except MappingError as exc:
        raise serializers.ValidationError(str(exc)) from None
    return value


class ConnectionSerializer(StrictModelSerializer):
    """A Twizzit connection; the password is write-only and optional when changing one."""

    api_password = StrictCharField(
        write_only=True,
        required=False,
        trim_whitespace=False,
        max_length=500,
        style={"input_type": "password"},
        help_text="The Twizzit API password. Write-only; left out, the stored one stays.",
    )
    password_set = serializers.BooleanField(
        source="has_password", read_only=True, help_text="A password is stored (sealed)."
    )
    role_overrides = serializers.DictField(
        child=StrictChoiceField(choices=TeamRole.choices),
        required=False,
        validators=[check_role_overrides],
        help_text='Contact function id → role, e.g. {"12": "staff"}.',
    )
    event_type_overrides = serializers.DictField(
        child=StrictChoiceField(choices=[("game", "Game"), ("skip", "Skip")]),
        required=False,
        validators=[check_event_type_overrides],
        help_text='Event type id → "game" or "skip", e.g. {"4": "game"}.',
    )
    notify_emails = EmailListField(
        required=False,
        help_text="Who is mailed about failed runs, conflicts and quota. Empty: the superusers.",
    )

    class Meta:
        model = TwizzitConfig
        fields = [
            "id",
            "organization_id",
            "organization_name",
            "api_base_url",
            "api_username",
            "api_password",
            "password_set",
            "sync_enabled",
            "auto_sync_frequency",
            "sync_interval_minutes",
            "sync_players",
            "sync_teams",
            "sync_rosters",
            "sync_games",
            "season_scope",
            "current_members_only",
            "conflict_policy",
            "role_overrides",
            "event_type_overrides",
            "monthly_call_limit",
            "notify_emails",
            "notify_failed_runs",
            "notify_stale_runs",
            "notify_conflicts",
            "notify_quota",
            "notify_recovered",
            "last_sync_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "last_sync_at", "created_at", "updated_at"]
        extra_kwargs = {
            "organization_id": {"max_value": MAX_INT},
            "sync_interval_minutes": {"max_value": MAX_INT, "min_value": 1},
            "monthly_call_limit": {"max_value": MAX_INT},
        }

    def create(self, validated_data):
        return create_connection(password=validated_data.pop("api_password"), **validated_data)

    def update(self, instance, validated_data):
        password = validated_data.pop("api_password", None)
        return update_connection(instance, password=password, **validated_data)


class ConnectionCreateSerializer(ConnectionSerializer):
    """A new connection: the password is required."""

    api_password = StrictCharField(
        write_only=True,
        trim_whitespace=False,
        max_length=500,
        style={"input_type": "password"},
        help_text="The Twizzit API password. Write-only: no response ever contains it.",
    )


class RemovedConnectionSerializer(serializers.Serializer):
    organization_id = serializers.IntegerField()
    mappings_removed = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Mappings deleted per kind: players, teams, seasons, clubs.",
    )
    total_mappings = serializers.IntegerField()


class CredentialsSerializer(serializers.Serializer):
    """Credentials typed in to be tested; nothing is saved."""

    organization_id = StrictIntegerField(min_value=0, max_value=MAX_INT)
    api_base_url = StrictURLField(
        max_length=300, default="https://app.twizzit.com", validators=[validate_api_base_url]
    )
    api_username = StrictCharField(max_length=200)
    api_password = StrictCharField(
        write_only=True, trim_whitespace=False, max_length=500, style={"input_type": "password"}
    )


class OrganizationSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_null=True)


class ReadableSerializer(serializers.Serializer):
    seasons = serializers.BooleanField()
    groups = serializers.BooleanField()
    contacts = serializers.BooleanField()


class VerifyReportSerializer(serializers.Serializer):
    """twizzit.services.verify.VerifyReport.as_dict()."""

    ok = serializers.BooleanField(help_text="Credentials accepted and everything readable.")
    credentials_accepted = serializers.BooleanField()
    organizations = OrganizationSerializer(many=True, help_text="Organisations the account lists.")
    organization_readable = serializers.BooleanField()
    readable = ReadableSerializer()
    problems = serializers.ListField(child=serializers.CharField())
    summary = serializers.CharField(help_text="One sentence for people.")
    api_calls = serializers.IntegerField(help_text="Twizzit calls the check spent.")
    organization_id = serializers.IntegerField(allow_null=True)
    notes = serializers.ListField(child=serializers.CharField())
