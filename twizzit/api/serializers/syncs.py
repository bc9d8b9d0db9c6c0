"""Sync requests (full, per entity, selected records), sync logs with their counts,
entries and planned changes, and a connection's status."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from twizzit.api.fields import (
    StrictBooleanField,
    StrictChoiceField,
    StrictIntegerField,
)
from twizzit.api.serializers.common import MAX_ID
from twizzit.models import (
    SyncLog,
    SyncType,
)
from twizzit.sync.selected import MAX_SELECTED


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
    refused = serializers.IntegerField(
        required=False, help_text="Values Twizzit sent that ShotSpot refused; the records synced."
    )
    erased = serializers.IntegerField(
        required=False, help_text="Not imported: the person was erased on request."
    )


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


# --- status (twizzit.services.status.connection_status) -----------------------------------------
class StatusConnectionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    organization_id = serializers.IntegerField()
    organization_name = serializers.CharField()
    sync_enabled = serializers.BooleanField()
    auto_sync_frequency = serializers.CharField()


class RunningSyncSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    sync_type = serializers.CharField()
    dry_run = serializers.BooleanField(help_text="A preview: computes, writes nothing.")
    status = serializers.CharField(
        source="shown_status",
        help_text='pending, running, or "stale": running, but its heartbeat stopped longer '
        "ago than the lease (its process is presumed dead; the next sync frees it).",
    )
    started_at = serializers.DateTimeField(allow_null=True)
    heartbeat_at = serializers.DateTimeField(allow_null=True)
    heartbeat_age_seconds = serializers.SerializerMethodField(
        help_text="Seconds since the run last showed it is alive."
    )
    progress = serializers.JSONField()
    stats = serializers.JSONField()
    api_calls = serializers.IntegerField()

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_heartbeat_age_seconds(self, log) -> int | None:
        return round(log.heartbeat_age) if log.heartbeat_age is not None else None


class FinishedSyncSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    sync_type = serializers.CharField()
    dry_run = serializers.BooleanField(help_text="A preview: computes, writes nothing.")
    status = serializers.CharField()
    completed_at = serializers.DateTimeField(allow_null=True)
    duration_ms = serializers.IntegerField(allow_null=True)
    stats = serializers.JSONField()
    message = serializers.CharField(allow_blank=True)


class ApiUsageSerializer(serializers.Serializer):
    month = serializers.SerializerMethodField(help_text="YYYY-MM")
    calls = serializers.IntegerField()
    limit = serializers.IntegerField()
    remaining = serializers.IntegerField()
    possibly_spent = serializers.BooleanField(
        help_text="Twizzit answered 429 without Retry-After this month: the quota may be spent."
    )
    rate_limited_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.CharField())
    def get_month(self, usage) -> str:
        return f"{usage.month:%Y-%m}"


class ConnectionStatusSerializer(serializers.Serializer):
    """twizzit.services.status.connection_status(config), as the API and the CLI print it."""

    connection = StatusConnectionSerializer(source="config")
    running = RunningSyncSerializer(allow_null=True)
    last_sync = FinishedSyncSerializer(allow_null=True)
    recent = FinishedSyncSerializer(many=True)
    pending_conflicts = serializers.IntegerField()
    refused_players = serializers.IntegerField(
        help_text="Players whose Twizzit record holds a value ShotSpot refused (an invalid "
        "e-mail, an impossible date); the players are synced without those values."
    )
    api_usage = ApiUsageSerializer(source="usage")
    next_scheduled_run = serializers.DateTimeField(allow_null=True)
