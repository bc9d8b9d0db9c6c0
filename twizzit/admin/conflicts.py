"""The conflict list and review screen: a person sees both sides and decides what wins.

The list opens on the pending conflicts (the "status" filter can show the resolved ones
or all) with the record's name, the connection, the kind, the fields in conflict and
when the conflict was found.

The review screen is titled by the person or team ("Jana De Smet — changed on both
sides") and links to the previous and next pending conflict. A "changed on both sides"
conflict is decided field by field (ShotSpot's value, Twizzit's, or one typed in) through
`twizzit.sync.field_decisions.resolve_fields`; the fields that do not conflict are listed apart.
Duplicates and deletions offer their distinct decisions, with the candidates side by
side with the Twizzit record. Every decision goes through `twizzit.sync.resolve_conflict`,
the same service the REST API calls; after one, the screen moves on to the next pending
conflict. A resolved conflict shows who decided, when, and what was applied, as a table.

Selecting many conflicts in the list and choosing an action hands them to a background
task, so no request waits on hundreds of them.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from twizzit.admin.review import DecisionForm, FieldDecisionForm, shown
from twizzit.admin.scope import ClubScoped
from twizzit.admin.shotspot_data import when
from twizzit.mappers.events import KEY_FACTOR, MAX_EVENT_ID
from twizzit.models import ConflictType, EntityType, EventMapping, Resolution, SyncConflict
from twizzit.services.access import visible_candidates
from twizzit.services.jobs import enqueue_conflict_resolution
from twizzit.sync import ResolutionError, resolve_conflict
from twizzit.sync.field_decisions import applied_rows, decision_label, label, resolve_fields
from twizzit.sync.resolution import SPECS
from twizzit.sync.values import snapshot

# The kind as the end of a title: "Jana De Smet — changed on both sides".
KIND_IN_TITLE = {
    ConflictType.DATA_MISMATCH: "changed on both sides",
    ConflictType.DUPLICATE: "possible duplicate",
    ConflictType.DELETED_IN_TWIZZIT: "deleted in Twizzit",
    ConflictType.DELETED_IN_SHOTSPOT: "deleted in ShotSpot",
}


def record_name(conflict: SyncConflict) -> str:
    """The person, team or game a conflict is about (`SyncConflict.subject_name`)."""
    return conflict.subject_name()


class ConflictChangeList(ChangeList):
    """Names the page's game conflicts with one query, not one per row."""

    def get_results(self, request):
        super().get_results(request)
        SyncConflict.prefetch_local_rows(self.result_list)


class StatusFilter(admin.SimpleListFilter):
    """Pending by default; resolved or all on request."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("pending", "Pending"), ("resolved", "Resolved"), ("all", "All")]

    def value(self):
        return super().value() or "pending"

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(resolution=Resolution.PENDING)
        if self.value() == "resolved":
            return queryset.exclude(resolution=Resolution.PENDING)
        return queryset


@admin.register(SyncConflict)
class SyncConflictAdmin(ClubScoped, admin.ModelAdmin):
    list_display = ["record", "connection", "kind", "conflicting_fields", "found", "decision"]
    list_display_links = ["record"]
    list_filter = [StatusFilter, "conflict_type", "entity_type", "config"]
    list_select_related = ["config", "player", "team"]
    search_fields = ["twizzit_id", "player__last_name", "player__first_name", "team__name"]
    actions = ["resolve_twizzit_wins", "resolve_shotspot_wins", "resolve_ignored"]
    # Oldest first: a queue worked from the top, in the order "Next pending conflict" follows.
    ordering = ["created_at", "pk"]

    @admin.display(description="Connection", ordering="config__organization_name")
    def connection(self, conflict):
        return conflict.config

    @admin.display(description="Kind", ordering="conflict_type")
    def kind(self, conflict):
        return conflict.get_conflict_type_display()

    @admin.display(description="Record")
    def record(self, conflict):
        return record_name(conflict)

    @admin.display(description="Fields")
    def conflicting_fields(self, conflict):
        return ", ".join(label(name) for name in conflict.fields) or "—"

    @admin.display(description="Found", ordering="created_at")
    def found(self, conflict):
        return when(conflict.created_at)

    @admin.display(description="Decision", ordering="resolution")
    def decision(self, conflict):
        return "Pending" if conflict.is_pending else decision_label(conflict)

    def has_add_permission(self, request):
        return False

    def get_changelist(self, request, **kwargs):
        return ConflictChangeList

    def get_search_results(self, request, queryset, search_term):
        """Games are found by their team or opponent too (through their event mapping),
        and by their Twizzit event id (the id a person sees in Twizzit, not the key)."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            games = EventMapping.objects.filter(
                Q(game__opponent__icontains=term) | Q(game__team__name__icontains=term),
                config=OuterRef("config"),
                twizzit_key=OuterRef("twizzit_id"),
            )
            results |= queryset.filter(Exists(games), entity_type=EntityType.GAME)
        if term.isdigit() and int(term) <= MAX_EVENT_ID:
            event = int(term)
            results |= queryset.filter(
                entity_type=EntityType.GAME,
                twizzit_id__gte=event * KEY_FACTOR,
                twizzit_id__lt=(event + 1) * KEY_FACTOR,
            )
        return results, may_have_duplicates

    # --- the review screen ---------------------------------------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        conflict = self.get_object(request, unquote(object_id))
        if conflict is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, conflict):
            raise PermissionDenied
        can_decide = conflict.is_pending and self.has_change_permission(request, conflict)
        is_mismatch = conflict.conflict_type == ConflictType.DATA_MISMATCH
        candidates = self.candidates(conflict, request.user)
        form = None
        if can_decide:
            data = request.POST if request.method == "POST" else None
            form = (
                FieldDecisionForm(conflict, data=data)
                if is_mismatch
                else DecisionForm(conflict, candidates, data=data)
            )
        if request.method == "POST":
            if not can_decide:
                raise PermissionDenied
            if form.is_valid():
                try:
                    if is_mismatch:
                        resolve_fields(conflict, form.decisions(), user=request.user)
                    else:
                        resolution = form.cleaned_data["resolution"]
                        resolve_conflict(
                            conflict, resolution, values=form.values(), user=request.user
                        )
                except ResolutionError as exc:
                    form.add_resolution_error(exc)
                else:
                    return self.decided(request, conflict)
        rows = self.comparison_rows(conflict)
        for row in rows:  # a duplicate's candidates, one cell each, beside Twizzit's value
            row["cells"] = [c["values"].get(row["name"], {"value": "—"}) for c in candidates]
        previous, following = self.neighbours(conflict, request)
        local = conflict.local_row()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{record_name(conflict)} — {KIND_IN_TITLE[conflict.conflict_type]}",
            "conflict": conflict,
            "original": conflict,
            "twizzit_record": conflict.twizzit_record(),
            "local_row": local,
            "local_url": self.row_url(local),
            "rows": rows,
            "calm_rows": self.calm_rows(conflict) if is_mismatch and conflict.is_pending else [],
            "candidates": candidates,
            "form": form,
            "is_mismatch": is_mismatch,
            "is_duplicate": conflict.conflict_type == ConflictType.DUPLICATE,
            "decision_label": decision_label(conflict),
            "applied_rows": [
                {**row, "shown": shown(row["value"], row.get("name", ""), conflict.entity_type)}
                for row in applied_rows(conflict)
            ],
            "resolved_when": when(conflict.resolved_at),
            "found_when": when(conflict.created_at),
            "previous_url": self.review_url(previous),
            "next_url": self.review_url(following),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/twizzit/syncconflict/review.html", context)

    def decided(self, request, conflict):
        conflict.refresh_from_db()
        self.message_user(
            request,
            f"{record_name(conflict)}: resolved ({decision_label(conflict)}).",
            messages.SUCCESS,
        )
        _, following = self.neighbours(conflict, request)
        if following is None:
            following = self.pending(request).order_by("created_at", "pk").first()
        if following is not None:
            return redirect(self.review_url(following))
        self.message_user(request, "No conflict is pending any more.", messages.INFO)
        return redirect("admin:twizzit_syncconflict_changelist")

    # --- what the screen shows -----------------------------------------------------------------
    def pending(self, request):
        # The user's clubs' conflicts only: Previous/Next never step into another club's.
        return self.get_queryset(request).filter(resolution=Resolution.PENDING)

    def neighbours(self, conflict, request):
        """The pending conflicts just before and after this one, in the list's order."""
        before = Q(created_at__lt=conflict.created_at) | Q(
            created_at=conflict.created_at, pk__lt=conflict.pk
        )
        after = Q(created_at__gt=conflict.created_at) | Q(
            created_at=conflict.created_at, pk__gt=conflict.pk
        )
        pending = self.pending(request)
        previous = pending.filter(before).order_by("-created_at", "-pk").first()
        following = pending.filter(after).order_by("created_at", "pk").first()
        return previous, following

    @staticmethod
    def row_url(row):
        """The ShotSpot row's admin page, whichever model it is."""
        if row is None:
            return None
        opts = row._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])

    @staticmethod
    def review_url(conflict):
        if conflict is None:
            return None
        return reverse("admin:twizzit_syncconflict_change", args=[conflict.pk])

    @staticmethod
    def comparison_rows(conflict) -> list[dict]:
        """[{field, base, shotspot, twizzit, differs}] of the fields the conflict carries."""
        names = conflict.fields or list(
            dict.fromkeys([*conflict.base_data, *conflict.shotspot_data, *conflict.twizzit_data])
        )
        kind = conflict.entity_type
        return [
            {
                "name": name,
                "field": label(name),
                "base": shown(conflict.base_data.get(name), name, kind),
                "shotspot": shown(conflict.shotspot_data.get(name), name, kind),
                "twizzit": shown(conflict.twizzit_data.get(name), name, kind),
                "differs": conflict.shotspot_data.get(name) != conflict.twizzit_data.get(name),
            }
            for name in names
        ]

    @staticmethod
    def calm_rows(conflict) -> list[dict]:
        """The record's other fields: not in conflict, so not asked about."""
        spec = SPECS.get(conflict.entity_type)
        local = conflict.local_row()
        if spec is None or local is None:
            return []
        names = [name for name in spec.fields if name not in conflict.fields]
        values = snapshot(local, names)
        return [
            {"field": label(name), "value": shown(values[name], name, conflict.entity_type)}
            for name in names
        ]

    @staticmethod
    def candidates(conflict, user) -> list[dict]:
        """A duplicate's candidates with their current values, beside the Twizzit record
        (only those of the user's clubs: another club's player is not shown)."""
        if conflict.conflict_type != ConflictType.DUPLICATE:
            return []
        spec = SPECS.get(conflict.entity_type)
        theirs = visible_candidates(conflict, user)
        ids = [c["id"] for c in theirs]
        rows = spec.model.objects.in_bulk(ids) if spec else {}
        names = list(conflict.twizzit_data)
        result = []
        for candidate in theirs:
            row = rows.get(candidate["id"])
            values = snapshot(row, names) if row is not None else {}
            matched = candidate["matched_on"].replace("_", " ")
            result.append(
                {
                    "id": candidate["id"],
                    "title": format_html(
                        "{} (#{}, same {}){}",
                        candidate["label"],
                        candidate["id"],
                        matched,
                        "" if row is not None else " — deleted since",
                    ),
                    "label": candidate["label"],
                    "matched_on": matched,
                    "values": {
                        name: {
                            "value": shown(values.get(name), name, conflict.entity_type),
                            "same": row is not None
                            and values.get(name) == conflict.twizzit_data.get(name),
                        }
                        for name in names
                    },
                }
            )
        return result

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
