"""The connection admin: the club admin's cockpit.

The change page of a connection shows, above its form, the status panel
(`twizzit.admin.cockpit`, refreshed in place every two seconds while a sync is active by
`static/twizzit/admin/refresh.js`) and the buttons that drive the sync: Test connection,
one button per entry of `SYNC_BUTTONS`, and Cancel on a running sync. Every button calls
a service (`verify_config`, `jobs.enqueue_sync`, `runs.request_cancel`); the admin adds
no rule of its own, it only turns the services' refusals into messages. A sync is
started on a confirmation page (a POST), never by a link.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from shotspot.forms import HTTPS_URLS
from twizzit.admin.access import ConnectionAccessInline
from twizzit.admin.cockpit import cockpit_context, last_full_sync_cost, last_sync_cost
from twizzit.admin.display import phases_of
from twizzit.admin.federation import federation_view
from twizzit.admin.forms import TwizzitConfigForm
from twizzit.admin.scope import ClubScoped
from twizzit.models import ApiUsage, SyncLog, SyncStatus, SyncTrigger, SyncType, TwizzitConfig
from twizzit.models.usage import usage_this_month
from twizzit.services.access import is_federation_admin
from twizzit.services.connections import delete_connection
from twizzit.services.jobs import QuotaExhausted, SyncDisabled, enqueue_sync
from twizzit.services.verify import PROBED, verify_config
from twizzit.sync.runs import SyncInProgress, active_run, request_cancel

REPORT_SESSION_KEY = "twizzit-verify-report-{pk}"


@dataclass(frozen=True)
class SyncButton:
    """One button of the cockpit: which sync it starts, and how it reads."""

    sync_type: str
    label: str
    dry_run: bool = False

    @property
    def slug(self) -> str:
        return f"{self.sync_type}-preview" if self.dry_run else self.sync_type


# One line per button: a new sync type gets its button here.
SYNC_BUTTONS = [
    SyncButton(SyncType.PLAYERS, "Sync players"),
    SyncButton(SyncType.TEAMS, "Sync teams"),
    SyncButton(SyncType.ROSTERS, "Sync rosters"),
    SyncButton(SyncType.GAMES, "Sync games"),
    SyncButton(SyncType.FULL, "Full sync"),
    SyncButton(SyncType.FULL, "Preview changes", dry_run=True),
]


def button_for(slug: str) -> SyncButton:
    for button in SYNC_BUTTONS:
        if button.slug == slug:
            return button
    raise Http404("No such sync.")


def report_rows(report: dict) -> list[tuple[str, bool | str]]:
    """The credential check as (what, outcome) rows; outcome True/False or a text."""
    return [
        ("Credentials accepted", report["credentials_accepted"]),
        (f"Organisation {report['organization_id']} readable", report["organization_readable"]),
        *((f"{name.capitalize()} readable", report["readable"][name]) for name in PROBED),
        ("API calls spent", str(report["api_calls"])),
    ]


@admin.register(TwizzitConfig)
class TwizzitConfigAdmin(ClubScoped, admin.ModelAdmin):
    form = TwizzitConfigForm
    formfield_overrides = HTTPS_URLS
    change_form_template = "admin/twizzit/twizzitconfig/cockpit.html"
    list_display = [
        "organization_name",
        "organization_id",
        "sync_enabled",
        "auto_sync_frequency",
        "conflict_policy",
        "last_sync_at",
        "credentials_state",
    ]
    list_filter = ["sync_enabled", "auto_sync_frequency", "conflict_policy"]
    search_fields = ["organization_name", "organization_id", "api_username"]
    # The running and last sync are in the status panel above the form, kept current.
    readonly_fields = ["password_status", "token_status", "credentials_state"]
    exclude = ["lease_expires_at"]
    actions = ["test_selected", "full_sync_selected"]
    inlines = [ConnectionAccessInline]
    fieldsets = [
        (
            "Twizzit organisation",
            {"fields": ["organization_id", "organization_name", "api_base_url"]},
        ),
        (
            "Credentials",
            {
                "fields": [
                    "api_username",
                    "api_password",
                    "password_status",
                    "token_status",
                    "credentials_state",
                ]
            },
        ),
        (
            "Sync",
            {
                "fields": [
                    "sync_enabled",
                    "auto_sync_frequency",
                    "sync_interval_minutes",
                    ("sync_players", "sync_teams", "sync_rosters", "sync_games"),
                    "season_scope",
                    "current_members_only",
                    "conflict_policy",
                    "role_overrides",
                    "event_type_overrides",
                    "monthly_call_limit",
                    "anonymise_archived_after_months",
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

    def has_add_permission(self, request):
        # A new organisation belongs to no club yet: only federation admins add one.
        return super().has_add_permission(request) and is_federation_admin(request.user)

    # --- deleting goes through the service ----------------------------------------------
    def has_delete_permission(self, request, obj=None):
        # A connection whose sync is pending or running cannot go (see delete_connection).
        if obj is not None and active_run(obj) is not None:
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        # The call meter has no delete permission of its own (nobody resets it by hand), but
        # its rows belong to the connection and go with it: they must not block the delete.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(ApiUsage._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        delete_connection(obj)

    def delete_queryset(self, request, queryset):
        for config in queryset:
            try:
                delete_connection(config)
            except SyncInProgress as exc:
                self.message_user(request, str(exc), messages.ERROR)

    # --- read-only facts -----------------------------------------------------------------
    @admin.display(description="Password")
    def password_status(self, obj):
        return "Set (encrypted)" if obj and obj.has_password else "Not set"

    @admin.display(description="API token")
    def token_status(self, obj):
        if obj and obj.api_token_expires_at:
            return f"Cached until {obj.api_token_expires_at:%Y-%m-%d %H:%M %Z}"
        return "None cached"

    @admin.display(description="Connection test")
    def credentials_state(self, obj):
        if obj is None or obj.credentials_checked_at is None:
            return "Not tested yet"
        outcome = "Passed" if obj.credentials_ok else "Failed"
        return f"{outcome} ({obj.credentials_checked_at:%Y-%m-%d %H:%M %Z})"

    # --- the cockpit ---------------------------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "federation/",
                wrap(lambda request: federation_view(self, request)),
                name="twizzit_twizzitconfig_federation",
            ),
            path("<int:pk>/panel/", wrap(self.panel_view), name="twizzit_twizzitconfig_panel"),
            path("<int:pk>/test/", wrap(self.test_view), name="twizzit_twizzitconfig_test"),
            path(
                "<int:pk>/sync/<slug:slug>/",
                wrap(self.sync_view),
                name="twizzit_twizzitconfig_sync",
            ),
            path(
                "<int:pk>/runs/<int:log_id>/cancel/",
                wrap(self.cancel_view),
                name="twizzit_twizzitconfig_cancel",
            ),
            *super().get_urls(),
        ]

    def _config(self, request, pk, *, change: bool) -> TwizzitConfig:
        config = get_object_or_404(self.get_queryset(request), pk=pk)
        allowed = (
            self.has_change_permission(request, config)
            if change
            else self.has_view_or_change_permission(request, config)
        )
        if not allowed:
            raise PermissionDenied
        return config

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        configs = self.get_queryset(request)
        config = configs.filter(pk=object_id).first() if object_id.isdigit() else None
        if config is not None and self.has_view_or_change_permission(request, config):
            report = request.session.pop(REPORT_SESSION_KEY.format(pk=config.pk), None)
            extra.update(
                cockpit=cockpit_context(config),
                sync_buttons=[
                    (
                        button,
                        reverse("admin:twizzit_twizzitconfig_sync", args=[config.pk, button.slug]),
                    )
                    for button in SYNC_BUTTONS
                ],
                test_url=reverse("admin:twizzit_twizzitconfig_test", args=[config.pk]),
                verify_report=report,
                verify_rows=report_rows(report) if report else None,
                can_drive=self.has_change_permission(request, config),
            )
        return super().change_view(request, object_id, form_url, extra)

    def response_add(self, request, obj, post_url_continue=None):
        """After adding, land on the new connection's cockpit, asking for a test."""
        if "_addanother" in request.POST or "_popup" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(
            request,
            format_html(
                "The connection “{}” was added. It is <strong>not tested yet</strong>: "
                "press <strong>Test connection</strong> below before the first sync.",
                obj,
            ),
            messages.WARNING,
        )
        return redirect("admin:twizzit_twizzitconfig_change", obj.pk)

    def panel_view(self, request, pk):
        """The status panel alone, for the page to refresh itself (staff only)."""
        config = self._config(request, pk, change=False)
        return TemplateResponse(
            request,
            "admin/twizzit/twizzitconfig/panel.html",
            {
                "cockpit": cockpit_context(config),
                "can_drive": self.has_change_permission(request, config),
            },
        )

    def test_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        config = self._config(request, pk, change=True)
        report = verify_config(config)
        request.session[REPORT_SESSION_KEY.format(pk=config.pk)] = report.as_dict()
        if report.ok:
            self.message_user(request, report.summary, messages.SUCCESS)
        else:
            self.message_user(request, f"Connection test failed: {report.summary}", messages.ERROR)
        return redirect("admin:twizzit_twizzitconfig_change", config.pk)

    def sync_view(self, request, pk, slug):
        """Confirm (GET), then start (POST) one sync of the connection."""
        config = self._config(request, pk, change=True)
        button = button_for(slug)
        if request.method == "POST":
            self._start(request, config, button)
            return redirect("admin:twizzit_twizzitconfig_change", config.pk)
        calls, limit = usage_this_month(config)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": config,
            "config": config,
            "button": button,
            "type_label": SyncType(button.sync_type).label,
            "phases": phases_of(button.sync_type, config),
            # A games sync costs what the last games sync did, not what a full one does.
            "cost": last_sync_cost(config, button.sync_type),
            "full_cost": last_full_sync_cost(config),
            "calls": calls,
            "limit": limit,
            "active": active_run(config),
            "title": f"{button.label}: {config}",
        }
        return TemplateResponse(request, "admin/twizzit/twizzitconfig/confirm_sync.html", context)

    def _start(self, request, config, button: SyncButton) -> SyncLog | None:
        try:
            log = enqueue_sync(
                config,
                button.sync_type,
                dry_run=button.dry_run,
                trigger=SyncTrigger.ADMIN,
                user=request.user,
            )
        except (SyncInProgress, SyncDisabled, QuotaExhausted) as exc:
            self.message_user(request, f"Nothing started: {exc}", messages.ERROR)
            return None
        what = "Preview" if button.dry_run else f"{SyncType(button.sync_type).label} sync"
        self.message_user(
            request,
            f"{what} #{log.pk} of {config.organization_name} is queued; its progress shows below.",
            messages.SUCCESS,
        )
        return log

    def cancel_view(self, request, pk, log_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        config = self._config(request, pk, change=True)
        log = get_object_or_404(SyncLog, pk=log_id, config=config)
        log = request_cancel(log)
        if log.status == SyncStatus.CANCELLED:
            self.message_user(request, f"Sync #{log.pk} was cancelled.", messages.SUCCESS)
        elif log.status == SyncStatus.RUNNING:
            self.message_user(
                request,
                f"Sync #{log.pk} stops at its next page; what it wrote so far stays.",
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                f"Sync #{log.pk} already finished ({log.get_status_display()}).",
                messages.WARNING,
            )
        return redirect("admin:twizzit_twizzitconfig_change", config.pk)

    # --- actions on the list -------------------------------------------------------------
    @admin.action(description="Test selected connections", permissions=["change"])
    def test_selected(self, request, queryset):
        for config in queryset:
            report = verify_config(config)
            level = messages.SUCCESS if report.ok else messages.ERROR
            self.message_user(request, f"{config}: {report.summary}", level)

    @admin.action(description="Full sync of selected connections", permissions=["change"])
    def full_sync_selected(self, request, queryset):
        full = button_for(SyncType.FULL)
        for config in queryset:
            self._start(request, config, full)
