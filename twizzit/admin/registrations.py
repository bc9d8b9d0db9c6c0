"""ModelAdmin classes for every integration model."""

from django.contrib import admin, messages

from shotspot.forms import HTTPS_URLS
from twizzit.admin.forms import TwizzitConfigForm
from twizzit.connections import delete_connection
from twizzit.models import (
    ApiUsage,
    ClubMapping,
    PlayerMapping,
    SeasonMapping,
    SyncLog,
    TeamMapping,
    TwizzitConfig,
)
from twizzit.sync.runs import SyncInProgress, active_run


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records only the sync writes: viewable, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TwizzitConfig)
class TwizzitConfigAdmin(admin.ModelAdmin):
    form = TwizzitConfigForm
    formfield_overrides = HTTPS_URLS
    list_display = [
        "organization_name",
        "organization_id",
        "sync_enabled",
        "auto_sync_frequency",
        "conflict_policy",
        "last_sync_at",
    ]
    list_filter = ["sync_enabled", "auto_sync_frequency", "conflict_policy"]
    search_fields = ["organization_name", "organization_id", "api_username"]
    readonly_fields = ["password_status", "token_status", "last_sync_at", "running_sync"]
    exclude = ["lease_expires_at"]
    fieldsets = [
        (
            "Twizzit organisation",
            {"fields": ["organization_id", "organization_name", "api_base_url"]},
        ),
        (
            "Credentials",
            {"fields": ["api_username", "api_password", "password_status", "token_status"]},
        ),
        (
            "Sync",
            {
                "fields": [
                    "sync_enabled",
                    "auto_sync_frequency",
                    "sync_interval_minutes",
                    ("sync_players", "sync_teams", "sync_rosters"),
                    "season_scope",
                    "current_members_only",
                    "conflict_policy",
                    "role_overrides",
                    "monthly_call_limit",
                    "last_sync_at",
                    "running_sync",
                ]
            },
        ),
        (
            "Notifications",
            {
                "fields": [
                    "notify_emails",
                    ("notify_failed_runs", "notify_stale_runs", "notify_recovered"),
                    ("notify_conflicts", "notify_quota"),
                ],
                "description": "E-mails to the admins when something needs a person.",
            },
        ),
    ]

    def has_delete_permission(self, request, obj=None):
        # A connection whose sync is pending or running cannot go (see delete_connection).
        if obj is not None and active_run(obj) is not None:
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        delete_connection(obj)

    def delete_queryset(self, request, queryset):
        for config in queryset:
            try:
                delete_connection(config)
            except SyncInProgress as exc:
                self.message_user(request, str(exc), messages.ERROR)

    @admin.display(description="Password")
    def password_status(self, obj):
        return "Set (encrypted)" if obj and obj.has_password else "Not set"

    @admin.display(description="API token")
    def token_status(self, obj):
        if obj and obj.api_token_expires_at:
            return f"Cached until {obj.api_token_expires_at:%Y-%m-%d %H:%M %Z}"
        return "None cached"


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


@admin.register(ClubMapping)
class ClubMappingAdmin(MappingAdmin):
    list_display = ["twizzit_club_id", "club", "config", "last_synced_at"]
    list_select_related = ["club", "config"]


@admin.register(SyncLog)
class SyncLogAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "config",
        "sync_type",
        "status",
        "dry_run",
        "trigger",
        "api_calls",
        "created_at",
        "duration_ms",
    ]
    list_filter = ["status", "sync_type", "trigger", "dry_run", "config"]
    list_select_related = ["config"]
    date_hierarchy = "created_at"


@admin.register(ApiUsage)
class ApiUsageAdmin(ReadOnlyAdmin):
    list_display = ["config", "month", "calls", "warned_at"]
    list_filter = ["config"]
    list_select_related = ["config"]
