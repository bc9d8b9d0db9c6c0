"""ModelAdmin classes of the mapping tables (connections: connections.py; runs: runs.py)."""

from django.contrib import admin

from twizzit.admin.records import report_resync
from twizzit.models import (
    ClubMapping,
    EventMapping,
    PlayerMapping,
    SeasonMapping,
    TeamMapping,
)
from twizzit.resync import resync_mappings


class MappingAdmin(admin.ModelAdmin):
    list_filter = ["config"]
    readonly_fields = ["remote_hash", "base_data", "last_synced_at", "created_at", "updated_at"]


class ResyncMappingsMixin:
    """The "Re-sync selected from Twizzit" action of the player and team mappings."""

    actions = ["resync_from_twizzit"]

    @admin.action(description="Re-sync selected from Twizzit", permissions=["change"])
    def resync_from_twizzit(self, request, queryset):
        result = resync_mappings(queryset, user=request.user)
        report_resync(self, request, result, "records")


@admin.register(PlayerMapping)
class PlayerMappingAdmin(ResyncMappingsMixin, MappingAdmin):
    list_display = ["twizzit_contact_id", "player", "config", "last_synced_at"]
    list_select_related = ["player", "config"]
    search_fields = ["twizzit_contact_id", "player__last_name", "player__first_name"]
    raw_id_fields = ["player"]


@admin.register(TeamMapping)
class TeamMappingAdmin(ResyncMappingsMixin, MappingAdmin):
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
