"""ModelAdmin classes of the mapping tables (connections: connections.py; runs: runs.py)."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from twizzit.admin.review import shown
from twizzit.admin.scope import ClubScoped
from twizzit.admin.shotspot_data import report_resync
from twizzit.models import (
    ClubMapping,
    EventMapping,
    PlayerMapping,
    SeasonMapping,
    TeamMapping,
)
from twizzit.services.resync import resync_mappings
from twizzit.sync.field_decisions import label
from twizzit.sync.resolution import SPECS


class MappingAdmin(ClubScoped, admin.ModelAdmin):
    list_filter = ["config"]
    # The merge base in words instead of its JSON; the record's hash means nothing to a person.
    exclude = ["remote_hash", "base_data"]
    readonly_fields = ["last_synced_values", "last_synced_at", "created_at", "updated_at"]

    @admin.display(description="Values at the last sync")
    def last_synced_values(self, mapping):
        """The merge base: the values both sides agreed on when the record was last synced."""
        if not mapping.base_data:
            return "—"
        entity_type = next(
            (kind for kind, spec in SPECS.items() if isinstance(mapping, spec.mapping_model)), ""
        )
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td></tr>",
            (
                (label(name), shown(value, name, entity_type))
                for name, value in mapping.base_data.items()
            ),
        )
        return format_html("<table>{}</table>", rows)


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
