"""Run records in the admin: the sync log and the API usage, read-only and readable.

Only the sync writes these rows, so nobody adds, edits or deletes usage by hand. The sync
log list shows a run's outcome at a glance (coloured status, duration in seconds, totals
of created / updated / conflicts / errors); its detail page shows counts per entity,
error entries linked to the ShotSpot row they concern, the progress while it runs, and
for a preview (dry run) the planned changes with **Apply these changes**, which leads to
the same confirmation page as the cockpit's buttons.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from twizzit.admin.connections import button_for
from twizzit.admin.display import (
    age_in_seconds,
    count_rows,
    counter_labels,
    progress_of,
    seconds,
    status_badge,
    total,
)
from twizzit.admin.scope import ClubScoped
from twizzit.models import (
    ApiUsage,
    EventMapping,
    PlayerMapping,
    SeasonMapping,
    SyncLog,
    SyncStatus,
    SyncType,
    TeamMapping,
)

# entity of an error entry → (mapping model, its Twizzit id field, its local row field)
MAPPED_ROWS = {
    "players": (PlayerMapping, "twizzit_contact_id", "player"),
    "rosters": (PlayerMapping, "twizzit_contact_id", "player"),
    "teams": (TeamMapping, "twizzit_group_id", "team"),
    "seasons": (SeasonMapping, "twizzit_season_id", "season"),
    # Games' entries name the Twizzit event; a derby's link goes to one of its games.
    "games": (EventMapping, "twizzit_event_id", "game"),
}


class ReadOnlyAdmin(ClubScoped, admin.ModelAdmin):
    """Records only the sync writes: viewable, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def error_rows(log: SyncLog) -> list[dict]:
    """Error entries with a link to the mapped ShotSpot row where there is one."""
    wanted: dict[str, set] = {}
    for entry in log.errors:
        if entry.get("twizzit_id") is not None and entry.get("entity") in MAPPED_ROWS:
            wanted.setdefault(entry["entity"], set()).add(entry["twizzit_id"])
    links: dict[tuple, str] = {}
    for entity, ids in wanted.items():
        model, remote, local = MAPPED_ROWS[entity]
        for twizzit_id, local_id in model.objects.filter(
            config_id=log.config_id, **{f"{remote}__in": ids, f"{local}__isnull": False}
        ).values_list(remote, f"{local}_id"):
            target = model._meta.get_field(local).related_model._meta
            links[(entity, twizzit_id)] = reverse(
                f"admin:{target.app_label}_{target.model_name}_change", args=[local_id]
            )
    return [
        {
            "entity": (entry.get("entity") or "").capitalize(),
            "twizzit_id": entry.get("twizzit_id"),
            "url": links.get((entry.get("entity"), entry.get("twizzit_id"))),
            "message": entry.get("message", ""),
            "level": entry.get("level", "error"),
        }
        for entry in log.errors
    ]


SELECTION_NAMES = 20  # names shown per kind; the rest are counted
SELECTION_KINDS = {
    # selection key → (heading, mapping model, its Twizzit id field, its local row, noun)
    "contact_ids": ("Players", PlayerMapping, "twizzit_contact_id", "player", "contact"),
    "group_ids": ("Teams", TeamMapping, "twizzit_group_id", "team", "group"),
}


def selection_rows(log: SyncLog) -> list[dict]:
    """A selected run's ids as the players and teams they are: [{heading, names}]."""
    rows = []
    for key, (heading, model, remote, local, noun) in SELECTION_KINDS.items():
        ids = (log.selection or {}).get(key) or []
        if not ids:
            continue
        shown = ids[:SELECTION_NAMES]
        rows_by_id = {
            getattr(mapping, remote): getattr(mapping, local)
            for mapping in model.objects.filter(
                config_id=log.config_id, **{f"{remote}__in": shown}
            ).select_related(local)
        }
        names = [
            str(rows_by_id[twizzit_id])
            if rows_by_id.get(twizzit_id) is not None
            else f"Twizzit {noun} {twizzit_id} (not in ShotSpot)"
            for twizzit_id in shown
        ]
        more = len(ids) - len(shown)
        rows.append(
            {
                "heading": f"{heading} ({len(ids)})",
                "names": ", ".join(names) + (f" and {more} more" if more else ""),
            }
        )
    return rows


def planned_rows(log: SyncLog) -> list[dict]:
    """A preview's planned changes: per record, the action and old → new per field."""
    rows = []
    for change in log.planned_changes:
        fields = []
        for name, values in (change.get("changes") or {}).items():
            old, new = [*values, None, None][:2] if isinstance(values, list) else (None, values)
            fields.append(
                {
                    "field": name.removesuffix("_id").replace("_", " ").capitalize(),
                    "old": readable(old),
                    "new": readable(new),
                }
            )
        rows.append(
            {
                "entity": (change.get("entity") or "").capitalize(),
                "twizzit_id": change.get("twizzit_id"),
                "action": (change.get("action") or "").replace("_", " ").capitalize(),
                "label": change.get("label", ""),
                "fields": fields,
            }
        )
    return rows


def readable(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(readable(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {readable(v)}" for k, v in value.items())
    return str(value)


@admin.register(SyncLog)
class SyncLogAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "config",
        "coloured_status",
        "sync_type",
        "dry_run",
        "trigger",
        "who",
        "started",
        "duration",
        "created",
        "updated",
        "conflicts",
        "errors_count",
        "api_calls",
    ]
    list_filter = ["status", "sync_type", "trigger", "dry_run", "config"]
    list_select_related = ["config", "triggered_by"]
    list_per_page = 20
    ordering = ["-created_at", "-id"]
    date_hierarchy = "created_at"

    @admin.display(description="Status", ordering="status")
    def coloured_status(self, log):
        return status_badge(log.status)

    class Media:
        css = {"all": ["twizzit/admin/cockpit.css"]}

    @admin.display(description="Who", ordering="triggered_by__username")
    def who(self, log):
        return log.triggered_by or "—"

    @admin.display(description="Started", ordering="created_at")
    def started(self, log):
        return f"{timezone.localtime(log.started_at or log.created_at):%Y-%m-%d %H:%M}"

    @admin.display(description="Duration", ordering="duration_ms")
    def duration(self, log):
        return seconds(log.duration_ms)

    @admin.display(description="Created")
    def created(self, log):
        return total(log.stats, "created")

    @admin.display(description="Updated")
    def updated(self, log):
        return total(log.stats, "updated") + total(log.stats, "policy_decided")

    @admin.display(description="Conflicts")
    def conflicts(self, log):
        return total(log.stats, "conflicts")

    @admin.display(description="Errors")
    def errors_count(self, log):
        return total(log.stats, "errors")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        log = self.get_object(request, unquote(object_id))
        if log is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, log):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": log,
            "title": str(log),
            **run_context(log),
        }
        if log.dry_run and log.status in (SyncStatus.SUCCESS, SyncStatus.PARTIAL):
            context["apply_url"] = apply_url(log)
        template = "admin/twizzit/synclog/detail.html"
        if request.GET.get("fragment"):
            template = "admin/twizzit/synclog/run.html"
        return TemplateResponse(request, template, context)


def apply_url(log: SyncLog) -> str | None:
    """The confirmation page of the same sync for real, if the cockpit has its button."""
    try:
        button = button_for(log.sync_type)
    except Http404:
        return None
    return reverse("admin:twizzit_twizzitconfig_sync", args=[log.config_id, button.slug])


def run_context(log: SyncLog) -> dict:
    return {
        "log": log,
        "badge": status_badge(log.status),
        "duration": seconds(log.duration_ms),
        "rows": count_rows(log.stats),
        "counter_labels": counter_labels(),
        # Contacts left out because their person was erased (twizzit.models.ErasedContact).
        "erased": total(log.stats, "erased"),
        "error_rows": error_rows(log),
        "selection_rows": selection_rows(log),
        "planned_rows": planned_rows(log) if log.dry_run else [],
        "progress": progress_of(log) if log.is_active else None,
        "heartbeat_age": age_in_seconds(log.heartbeat_at),
        "elapsed": age_in_seconds(log.started_at or log.created_at),
        "type_label": SyncType(log.sync_type).label
        if log.sync_type in SyncType.values
        else log.sync_type,
        "connection_url": reverse("admin:twizzit_twizzitconfig_change", args=[log.config_id]),
    }


@admin.register(ApiUsage)
class ApiUsageAdmin(ReadOnlyAdmin):
    list_display = ["config", "month_label", "calls", "limit", "percent", "warned"]
    list_filter = ["config"]
    list_select_related = ["config"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="90 % warning")
    def warned(self, usage):
        return f"{timezone.localtime(usage.warned_at):%Y-%m-%d %H:%M}" if usage.warned_at else "—"

    @admin.display(description="Month", ordering="month")
    def month_label(self, usage):
        return f"{usage.month:%Y-%m}"

    @admin.display(description="Limit")
    def limit(self, usage):
        return usage.config.monthly_call_limit

    @admin.display(description="Used")
    def percent(self, usage):
        limit = usage.config.monthly_call_limit
        return f"{100 * usage.calls / limit:.1f} %" if limit else "—"
