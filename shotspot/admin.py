"""Admin for ShotSpot's own data."""

from django.contrib import admin

from shotspot.forms import HTTPS_URLS
from shotspot.models import Club, Player, Season, Team, TeamMembership


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["player"]


@admin.register(Club)
class ClubAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(Season)
class SeasonAdmin(admin.ModelAdmin):
    list_display = ["name", "start_date", "end_date", "is_current", "sync_source"]
    list_filter = ["is_current", "sync_source"]
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "short_name", "club", "season", "category", "sync_source"]
    list_filter = ["sync_source", "season", "archived_at"]
    list_select_related = ["club", "season"]
    search_fields = ["name", "short_name", "category"]
    inlines = [MembershipInline]


@admin.register(Player)
class PlayerAdmin(admin.ModelAdmin):
    list_display = [
        "last_name",
        "first_name",
        "date_of_birth",
        "registration_number",
        "email",
        "sync_source",
    ]
    list_filter = ["sync_source", "gender", "archived_at"]
    search_fields = ["first_name", "last_name", "email", "registration_number"]


@admin.register(TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin):
    list_display = ["player", "team", "role", "sync_source"]
    list_filter = ["role", "sync_source"]
    list_select_related = ["player", "team", "team__season"]
    autocomplete_fields = ["player", "team"]
    search_fields = ["player__last_name", "player__first_name", "team__name"]
