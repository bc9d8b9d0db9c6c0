"""Mappings (Twizzit id ⇄ ShotSpot row), their tombstones, and relinking."""

from __future__ import annotations

from rest_framework import serializers

from twizzit.api.fields import (
    StrictIntegerField,
)
from twizzit.api.serializers.common import MAX_ID
from twizzit.models import (
    PlayerMapping,
    TeamMapping,
)


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
