"""The conflict review screen: a person sees both sides and decides what wins.

The change page of a conflict shows, per field, the value both sides last agreed on,
ShotSpot's value and Twizzit's value (or, for a duplicate, the players it may be), and
offers the decisions its kind allows. Deciding calls `twizzit.sync.resolve_conflict`, the
same service the REST API calls; selecting many conflicts in the list and choosing an
action hands them to a background task, so no request waits on hundreds of them.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from twizzit.admin.forms import ConflictResolutionForm
from twizzit.jobs import enqueue_conflict_resolution
from twizzit.models import ConflictType, Resolution, SyncConflict
from twizzit.sync import ResolutionError, resolve_conflict
from twizzit.sync.resolution import CHOICES


def comparison_rows(conflict: SyncConflict) -> list[dict]:
    """[{field, base, shotspot, twizzit}] for every field the conflict carries."""
    names = conflict.fields or list(
        dict.fromkeys([*conflict.base_data, *conflict.shotspot_data, *conflict.twizzit_data])
    )
    return [
        {
            "field": name.removesuffix("_id").replace("_", " ").capitalize(),
            "base": conflict.base_data.get(name),
            "shotspot": conflict.shotspot_data.get(name),
            "twizzit": conflict.twizzit_data.get(name),
            "differs": conflict.shotspot_data.get(name) != conflict.twizzit_data.get(name),
        }
        for name in names
    ]


@admin.register(SyncConflict)
class SyncConflictAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "config",
        "entity_type",
        "twizzit_id",
        "local_row",
        "conflict_type",
        "resolution",
        "created_at",
    ]
    list_filter = ["resolution", "conflict_type", "entity_type", "config"]
    list_select_related = ["config", "player", "team"]
    search_fields = ["twizzit_id", "player__last_name", "player__first_name", "team__name"]
    actions = ["resolve_twizzit_wins", "resolve_shotspot_wins", "resolve_ignored"]

    @admin.display(description="ShotSpot row")
    def local_row(self, conflict):
        return conflict.player or conflict.team or "—"

    def has_add_permission(self, request):
        return False

    # --- the review screen ---------------------------------------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        conflict = self.get_object(request, unquote(object_id))
        if conflict is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, conflict):
            raise PermissionDenied
        can_decide = conflict.is_pending and self.has_change_permission(request, conflict)
        form = ConflictResolutionForm(conflict, data=request.POST or None) if can_decide else None
        if request.method == "POST":
            if not can_decide:
                raise PermissionDenied
            if form.is_valid():
                resolution = form.cleaned_data["resolution"]
                try:
                    resolve_conflict(conflict, resolution, values=form.values(), user=request.user)
                except ResolutionError as exc:
                    form.add_resolution_error(exc)
                else:
                    label = CHOICES[conflict.conflict_type][resolution]
                    self.message_user(
                        request, f"Conflict #{conflict.pk} resolved: {label}.", messages.SUCCESS
                    )
                    return redirect("admin:twizzit_syncconflict_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{conflict.get_conflict_type_display()}: {conflict.entity_type} "
            f"{conflict.twizzit_id}",
            "conflict": conflict,
            "original": conflict,
            "rows": comparison_rows(conflict),
            "form": form,
            "is_duplicate": conflict.conflict_type == ConflictType.DUPLICATE,
            "resolution_label": CHOICES[conflict.conflict_type].get(conflict.resolution, ""),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/twizzit/syncconflict/review.html", context)

    # --- many at once, in the background -------------------------------------------------------
    def _resolve_in_background(self, request, queryset, resolution):
        ids = list(queryset.filter(resolution=Resolution.PENDING).values_list("pk", flat=True))
        if not ids:
            self.message_user(
                request, "None of the selected conflicts is pending.", messages.WARNING
            )
            return
        enqueue_conflict_resolution(ids, resolution, user=request.user)
        self.message_user(
            request,
            f"{len(ids)} conflicts are being resolved in the background "
            f"({Resolution(resolution).label}); those whose kind does not allow it stay "
            "pending. Reload in a moment.",
            messages.SUCCESS,
        )

    @admin.action(description="Resolve selected: Twizzit wins", permissions=["change"])
    def resolve_twizzit_wins(self, request, queryset):
        self._resolve_in_background(request, queryset, Resolution.TWIZZIT_WINS)

    @admin.action(description="Resolve selected: ShotSpot wins", permissions=["change"])
    def resolve_shotspot_wins(self, request, queryset):
        self._resolve_in_background(request, queryset, Resolution.SHOTSPOT_WINS)

    @admin.action(description="Resolve selected: ignore", permissions=["change"])
    def resolve_ignored(self, request, queryset):
        self._resolve_in_background(request, queryset, Resolution.IGNORED)
