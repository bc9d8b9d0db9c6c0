"""Admin for ShotSpot's own data."""

from django.contrib import admin
from django.utils import timezone

from shotspot.forms import HTTPS_URLS
from shotspot.models import Club, Game, Player, Season, Team, TeamMembership

UPCOMING_GAMES_SHOWN = 20


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


class UpcomingGamesInline(admin.TabularInline):
    """The team's next games, read-only; each links to its own page for edits."""

    model = Game
    verbose_name_plural = "Upcoming games"
    fields = ["start", "opponent", "is_home", "venue", "competition", "status", "sync_source"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    extra = 0
    max_num = 0

    def get_queryset(self, request):
        upcoming = super().get_queryset(request).filter(start__gte=timezone.now()).order_by("start")
        # An inline cannot slice its queryset; the ids of the next games can be.
        ids = list(upcoming.values_list("pk", flat=True)[:UPCOMING_GAMES_SHOWN])
        return upcoming.filter(pk__in=ids)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "short_name", "club", "season", "category", "sync_source"]
    list_filter = ["sync_source", "season", "archived_at"]
    list_select_related = ["club", "season"]
    search_fields = ["name", "short_name", "category"]
    inlines = [MembershipInline, UpcomingGamesInline]


@admin.register(Game)
class GameAdmin(admin.ModelAdmin):
    list_display = [
        "start",
        "team",
        "opponent",
        "is_home",
        "status",
        "home_score",
        "away_score",
        "sync_source",
    ]
    list_filter = ["status", "sync_source", "is_home", "team__season", "team"]
    list_select_related = ["team", "team__season"]
    search_fields = ["opponent", "team__name", "venue", "competition"]
    autocomplete_fields = ["team"]
    date_hierarchy = "start"
    fieldsets = [
        (None, {"fields": ["team", "opponent", "is_home", "status"]}),
        ("When and where", {"fields": ["start", "meeting_time", "end", "venue", "competition"]}),
        ("Score", {"fields": [("home_score", "away_score")]}),
        ("Source", {"fields": ["sync_source"]}),
    ]


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
