"""Request and response shapes of the API.

Fields keep the models' names; request fields take JSON as typed (`twizzit.api.fields`).
The Twizzit password goes in as `api_password` and never comes out: responses say only
`password_set`. Neither the token nor any sealed value is a field of any serializer.
Saving goes through `twizzit.connections`, so the API validates a connection exactly as
the CLI and the admin do.

The JSON columns (sync stats, error entries, planned changes, conflict values) are
described field by field so the OpenAPI schema tells clients what they hold.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shotspot.models import TeamRole
from twizzit.api.fields import (
    EmailListField,
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictIntegerField,
    StrictModelSerializer,
    StrictURLField,
)
from twizzit.connections import create_connection, update_connection
from twizzit.mappers import events, rosters
from twizzit.mappers.base import MappingError
from twizzit.models import (
    PlayerMapping,
    Resolution,
    SyncConflict,
    SyncLog,
    SyncType,
    TeamMapping,
    TwizzitConfig,
)
from twizzit.subjects import local_row, subject_name
from twizzit.sync.selected import MAX_SELECTED
from twizzit.validators import validate_api_base_url

MAX_INT = 2**31 - 1  # PositiveIntegerField's range on PostgreSQL
MAX_ID = 2**63 - 1


# --- errors (documentation of twizzit.api.errors) ---------------------------------------
class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in one readable sentence.")
    code = serializers.CharField(
        help_text="A stable machine code, e.g. not_found, sync_in_progress."
    )


class ValidationErrorSerializer(ErrorSerializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per field (dotted for nested values; non_field_errors otherwise).",
    )


class SyncInProgressErrorSerializer(ErrorSerializer):
    sync_log = serializers.IntegerField(
        allow_null=True, help_text="The pending or running sync log that holds the connection."
    )


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
    """twizzit.verify.VerifyReport.as_dict()."""

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


# --- syncs and their logs -----------------------------------------------------------------
class SyncRequestSerializer(serializers.Serializer):
    type = StrictChoiceField(choices=SyncType.choices, default=SyncType.FULL)
    dry_run = StrictBooleanField(
        default=False, help_text="Plan only: the log lists the changes, nothing is written."
    )
    contact_ids = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        min_length=1,
        max_length=MAX_SELECTED,
        help_text=(
            'Sync only these Twizzit contacts (with type "players" or "selected"): a '
            '"selected" run that judges no deletions.'
        ),
    )
    group_ids = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        min_length=1,
        max_length=MAX_SELECTED,
        help_text=(
            'Sync only these Twizzit teams and their rosters (with type "teams" or "selected").'
        ),
    )

    def validate(self, attrs):
        selection = {key: attrs.pop(key) for key in ("contact_ids", "group_ids") if key in attrs}
        wanted = attrs["type"]
        if not selection:
            if wanted == SyncType.SELECTED:
                raise serializers.ValidationError(
                    {"type": ['"selected" needs contact_ids or group_ids.']}
                )
            attrs["selection"] = None
            return attrs
        allowed = {
            SyncType.PLAYERS: {"contact_ids"},
            SyncType.TEAMS: {"group_ids"},
            SyncType.SELECTED: {"contact_ids", "group_ids"},
        }.get(wanted, set())
        extra = sorted(set(selection) - allowed)
        if extra:
            raise serializers.ValidationError(
                {
                    extra[0]: [
                        f'Not with type "{wanted}"; use "selected" (or "players" with '
                        'contact_ids, "teams" with group_ids).'
                    ]
                }
            )
        attrs["type"] = SyncType.SELECTED
        attrs["selection"] = selection
        return attrs


class CountersSerializer(serializers.Serializer):
    """What one entity's phase did."""

    fetched = serializers.IntegerField(required=False)
    created = serializers.IntegerField(required=False)
    updated = serializers.IntegerField(required=False)
    unchanged = serializers.IntegerField(required=False)
    skipped = serializers.IntegerField(required=False)
    conflicts = serializers.IntegerField(required=False)
    errors = serializers.IntegerField(required=False)
    removed = serializers.IntegerField(required=False)
    policy_decided = serializers.IntegerField(required=False)


class SyncEntrySerializer(serializers.Serializer):
    """An error or warning a run recorded about one record or page."""

    entity = serializers.CharField()
    twizzit_id = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()
    level = serializers.ChoiceField(choices=["error", "warning"], required=False)


class PlannedChangeSerializer(serializers.Serializer):
    """What a dry run would have done to one record."""

    entity = serializers.CharField()
    twizzit_id = serializers.IntegerField(allow_null=True)
    action = serializers.CharField()
    label = serializers.CharField(required=False, allow_blank=True)
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField(allow_null=True)),
        required=False,
        help_text="field → [current value, new value].",
    )


class SyncLogSerializer(serializers.ModelSerializer):
    """One sync run, as the list shows it."""

    connection = serializers.IntegerField(source="config_id", read_only=True)
    organization_name = serializers.CharField(source="config.organization_name", read_only=True)
    triggered_by = serializers.CharField(
        source="triggered_by.username", read_only=True, allow_null=True, default=None
    )
    stats = serializers.DictField(
        child=CountersSerializer(), read_only=True, help_text="Counters per entity."
    )
    error_count = serializers.SerializerMethodField()

    class Meta:
        model = SyncLog
        fields = [
            "id",
            "connection",
            "organization_name",
            "sync_type",
            "trigger",
            "status",
            "dry_run",
            "stats",
            "error_count",
            "api_calls",
            "message",
            "cancel_requested",
            "triggered_by",
            "created_at",
            "started_at",
            "completed_at",
            "duration_ms",
        ]
        read_only_fields = fields

    def get_error_count(self, log) -> int:
        # From the counters, not the entries: the list leaves the entries unloaded, and
        # the counters include entries dropped past the cap.
        return sum(counts.get("errors", 0) for counts in log.stats.values())


class SyncLogDetailSerializer(SyncLogSerializer):
    """One sync run with its error entries and, for a dry run, the planned changes."""

    errors = SyncEntrySerializer(many=True, read_only=True)
    planned_changes = serializers.SerializerMethodField()
    progress = serializers.JSONField(read_only=True, help_text="{phase, entities} while running.")

    class Meta(SyncLogSerializer.Meta):
        fields = [
            *SyncLogSerializer.Meta.fields,
            "errors",
            "planned_changes",
            "progress",
            "heartbeat_at",
            "task_id",
            "selection",
        ]
        read_only_fields = fields

    @extend_schema_field(PlannedChangeSerializer(many=True))
    def get_planned_changes(self, log) -> list[dict]:
        changes = log.planned_changes if log.dry_run else []
        return PlannedChangeSerializer(changes, many=True).data


# --- status (twizzit.status.connection_status) ------------------------------------------
class StatusConnectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organization_id = serializers.IntegerField()
    organization_name = serializers.CharField()
    sync_enabled = serializers.BooleanField()
    auto_sync_frequency = serializers.CharField()


class RunningSyncSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sync_type = serializers.CharField()
    dry_run = serializers.BooleanField(help_text="A preview: computes, writes nothing.")
    status = serializers.CharField(
        help_text='pending, running, or "stale": running, but its heartbeat stopped longer '
        "ago than the lease (its process is presumed dead; the next sync frees it)."
    )
    started_at = serializers.DateTimeField(allow_null=True)
    heartbeat_at = serializers.DateTimeField(allow_null=True)
    heartbeat_age_seconds = serializers.IntegerField(
        allow_null=True, help_text="Seconds since the run last showed it is alive."
    )
    progress = serializers.JSONField()
    stats = serializers.JSONField()
    api_calls = serializers.IntegerField()


class FinishedSyncSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sync_type = serializers.CharField()
    dry_run = serializers.BooleanField(help_text="A preview: computes, writes nothing.")
    status = serializers.CharField()
    completed_at = serializers.DateTimeField(allow_null=True)
    duration_ms = serializers.IntegerField(allow_null=True)
    stats = serializers.JSONField()
    message = serializers.CharField(allow_blank=True)


class ApiUsageSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    calls = serializers.IntegerField()
    limit = serializers.IntegerField()
    remaining = serializers.IntegerField()
    possibly_spent = serializers.BooleanField(
        help_text="Twizzit answered 429 without Retry-After this month: the quota may be spent."
    )
    rate_limited_at = serializers.DateTimeField(allow_null=True)


class ConnectionStatusSerializer(serializers.Serializer):
    """twizzit.status.connection_status(config)."""

    connection = StatusConnectionSerializer()
    running = RunningSyncSerializer(allow_null=True)
    last_sync = FinishedSyncSerializer(allow_null=True)
    recent = FinishedSyncSerializer(many=True)
    pending_conflicts = serializers.IntegerField()
    api_usage = ApiUsageSerializer()
    next_scheduled_run = serializers.DateTimeField(allow_null=True)


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

    def get_local_id(self, conflict) -> int | None:
        row = local_row(conflict)
        return row.pk if row is not None else None

    def get_label(self, conflict) -> str:
        return subject_name(conflict)

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
    if choice[0] not in (Resolution.PENDING, Resolution.SUPERSEDED)  # not a person's choice
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


# --- mappings -------------------------------------------------------------------------------
def _tombstone_name(base_data: dict, *parts: str) -> str:
    return " ".join(str(base_data[part]) for part in parts if base_data.get(part))


class PlayerMappingSerializer(serializers.ModelSerializer):
    connection = serializers.IntegerField(source="config_id", read_only=True)
    player = serializers.IntegerField(source="player_id", read_only=True, allow_null=True)
    player_name = serializers.SerializerMethodField(
        help_text="The player's name; for a tombstone, the name it had at the last sync."
    )
    is_tombstone = serializers.BooleanField(read_only=True)

    class Meta:
        model = PlayerMapping
        fields = [
            "id",
            "connection",
            "twizzit_contact_id",
            "player",
            "player_name",
            "is_tombstone",
            "ignore_remote",
            "last_synced_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_player_name(self, mapping) -> str:
        if mapping.player is not None:
            return str(mapping.player)
        return _tombstone_name(mapping.base_data, "first_name", "last_name")


class TeamMappingSerializer(serializers.ModelSerializer):
    connection = serializers.IntegerField(source="config_id", read_only=True)
    team = serializers.IntegerField(source="team_id", read_only=True, allow_null=True)
    team_name = serializers.SerializerMethodField(
        help_text="The team's name; for a tombstone, the name it had at the last sync."
    )
    is_tombstone = serializers.SerializerMethodField()

    class Meta:
        model = TeamMapping
        fields = [
            "id",
            "connection",
            "twizzit_group_id",
            "twizzit_season_id",
            "team",
            "team_name",
            "is_tombstone",
            "ignore_remote",
            "last_synced_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_team_name(self, mapping) -> str:
        if mapping.team is not None:
            return mapping.team.name
        return _tombstone_name(mapping.base_data, "name")

    def get_is_tombstone(self, mapping) -> bool:
        return mapping.team_id is None


class RelinkPlayerSerializer(serializers.Serializer):
    player = StrictIntegerField(
        min_value=1, max_value=MAX_ID, help_text="The ShotSpot player this mapping should be."
    )


class RelinkTeamSerializer(serializers.Serializer):
    team = StrictIntegerField(
        min_value=1, max_value=MAX_ID, help_text="The ShotSpot team this mapping should be."
    )
