"""ModelAdmin classes of the mapping tables (connections: connections.py; runs: runs.py)."""

from django.contrib import admin

from twizzit.models import (
    ClubMapping,
    EventMapping,
    PlayerMapping,
    SeasonMapping,
    TeamMapping,
)


class MappingAdmin(admin.ModelAdmin):
    list_filter = ["config"]
    readonly_fields = ["remote_hash", "base_data", "last_synced_at", "created_at", "updated_at"]


@admin.register(PlayerMapping)
class PlayerMappingAdmin(MappingAdmin):
    list_display = ["twizzit_contact_id", "player", "config", "last_synced_at"]
    list_select_related = ["player", "config"]
    search_fields = ["twizzit_contact_id", "player__last_name", "player__first_name"]
    raw_id_fields = ["player"]


@admin.register(TeamMapping)
class TeamMappingAdmin(MappingAdmin):
    list_display = ["twizzit_group_id", "team", "twizzit_season_id", "config", "last_synced_at"]
    list_select_related = ["team", "team__season", "config"]
    search_fields = ["twizzit_group_id", "team__name"]
    raw_id_fields = ["team"]


@admin.register(SeasonMapping)
class SeasonMappingAdmin(MappingAdmin):
    list_display = ["twizzit_season_id", "season", "config", "last_synced_at"]
    list_select_related = ["season", "config"]


@admin.register(EventMapping)
class EventMappingAdmin(MappingAdmin):
    list_display = ["twizzit_event_id", "twizzit_group_id", "game", "config", "last_synced_at"]
    list_select_related = ["game", "game__team", "config"]
    search_fields = ["twizzit_event_id", "game__opponent", "game__team__name"]
    raw_id_fields = ["game"]


@admin.register(ClubMapping)
class ClubMappingAdmin(MappingAdmin):
    list_display = ["twizzit_club_id", "club", "config", "last_synced_at"]
    list_select_related = ["club", "config"]
