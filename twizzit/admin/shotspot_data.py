"""Players and teams in the admin, seen from the integration: where a row comes from.

`shotspot.admin` knows nothing of Twizzit. This module extends its Player and Team admin
by registering subclasses in their place (unregister, register), so ShotSpot still works
without the integration. What it adds:

- a "Twizzit" badge column whose tooltip names the connection and the last sync, and a
  "Pending conflict" marker linking to the review screen (one annotated query per page);
- the filters "sync source", "has pending conflict" and "Twizzit values refused";
  `sync_source` read-only, since only the sync and the conflict resolutions decide it;
- on a synced row's change page a box: connection, Twizzit id, last synced, links to the
  mapping and to the sync run that last touched it, and a warning while a conflict waits;
  beside each field whose Twizzit value ShotSpot refused (an invalid e-mail, an impossible
  date), a note saying so and why (never the value);
- the action "Re-sync selected from Twizzit" (`twizzit.services.resync`), also offered on the
  mappings' lists (`registrations.py`);
- on players, "Erase personal data…" and "Download personal data" (`privacy.py`);
- the club scope (`scope.py`) on every ShotSpot model: clubs, seasons, teams, players,
  rosters and games show only the rows of the user's clubs.
"""

from __future__ import annotations

import re

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from shotspot.admin import ClubAdmin, GameAdmin, PlayerAdmin, SeasonAdmin, TeamAdmin
from shotspot.admin import TeamMembershipAdmin as MembershipAdmin
from shotspot.models import Club, Game, Player, Season, SyncSource, Team, TeamMembership
from twizzit.admin.privacy import PersonalDataAdmin
from twizzit.admin.scope import ClubScoped
from twizzit.models import (
    PlayerMapping,
    Resolution,
    SyncConflict,
    SyncLog,
    SyncType,
    TeamMapping,
)
from twizzit.services.access import visible
from twizzit.services.resync import resync_players, resync_teams
from twizzit.sync.field_decisions import label


def when(moment) -> str:
    """A moment as a person reads it, in the configured time zone."""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else "never"


def counted(count: int, plural: str) -> str:
    """ "1 player", "2 players": `plural` is a noun in -s (players, teams, records)."""
    return f"{count} {plural if count != 1 else plural.removesuffix('s')}"


def report_resync(modeladmin, request, result, noun: str) -> None:
    """Tell the person what asking for a re-sync did; `noun` is plural ("players")."""
    for log in result.queued:
        ids = log.selection.get("contact_ids") or log.selection.get("group_ids") or []
        link = reverse("admin:twizzit_synclog_change", args=[log.pk])
        modeladmin.message_user(
            request,
            format_html(
                'Re-sync of {} from {} queued as <a href="{}">sync #{}</a>; it runs in '
                "the background. Reload in a moment.",
                counted(len(ids), noun),
                log.config.organization_name,
                link,
                log.pk,
            ),
            messages.SUCCESS,
        )
    for refusal in result.refused:
        modeladmin.message_user(request, f"Not queued: {refusal}", messages.ERROR)
    if result.not_linked:
        modeladmin.message_user(
            request,
            f"{counted(result.not_linked, noun)} of the selection "
            f"{'is' if result.not_linked == 1 else 'are'} not linked to Twizzit and "
            f"{'was' if result.not_linked == 1 else 'were'} left alone.",
            messages.WARNING,
        )


def with_badges(columns, *, after: int) -> list[str]:
    """A list's columns with the badge (and marker) after the names, not `sync_source`;
    an e-mail address may wrap after its @ and dots, so the list fits a 1400 px screen."""
    columns = ["email_address" if c == "email" else c for c in columns if c != "sync_source"]
    return [*columns[:after], "twizzit_badge", *columns[after:]]


class HasPendingConflictFilter(admin.SimpleListFilter):
    title = "has pending conflict"
    parameter_name = "pending_conflict"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(twizzit_pending_conflict__isnull=False)
        if self.value() == "no":
            return queryset.filter(twizzit_pending_conflict__isnull=True)
        return queryset


# How a refusal names a field: "Twizzit's e-mail for this player was refused: …".
FIELD_WORDS = {
    "email": "e-mail",
    "phone": "phone number",
    "date_of_birth": "date of birth",
    "registration_number": "registration number",
    "has_profile_image": "profile image flag",
}


def refusal_note(name: str, rule: str, noun: str) -> str:
    """The sentence shown beside a field whose Twizzit value was refused."""
    words = FIELD_WORDS.get(name, label(name).lower())
    return f"Twizzit's {words} for this {noun} was refused: {rule}."


class RefusedValuesFilter(admin.SimpleListFilter):
    """Rows whose Twizzit record holds a value ShotSpot refused (they synced without it)."""

    title = "Twizzit values refused"
    parameter_name = "twizzit_refused"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.model_admin = model_admin

    def queryset(self, request, queryset):
        model_admin = self.model_admin
        refused = model_admin.mapping_model.objects.filter(
            **{model_admin.local_attr: OuterRef("pk")}
        ).exclude(refused={})
        if self.value() == "yes":
            return queryset.filter(Exists(refused))
        if self.value() == "no":
            return queryset.exclude(Exists(refused))
        return queryset


class TwizzitRecordMixin:
    """What players and teams share; subclasses name their mapping and conflict link."""

    mapping_model = None
    remote_attr = ""  # "twizzit_contact_id"
    local_attr = ""  # "player"
    change_form_template = "admin/twizzit/shotspot_data/change_form.html"

    class Media:
        css = {"all": ["twizzit/admin/records.css"]}

    def get_queryset(self, request):
        mappings = self.mapping_model.objects.filter(**{self.local_attr: OuterRef("pk")}).order_by(
            "-last_synced_at"
        )
        pending = SyncConflict.objects.filter(
            **{self.local_attr: OuterRef("pk")}, resolution=Resolution.PENDING
        ).order_by("created_at")
        return (
            super()
            .get_queryset(request)
            .annotate(
                twizzit_linked=Exists(mappings),
                twizzit_connection=Subquery(mappings.values("config__organization_name")[:1]),
                twizzit_org=Subquery(mappings.values("config__organization_id")[:1]),
                twizzit_last_synced=Subquery(mappings.values("last_synced_at")[:1]),
                twizzit_pending_conflict=Subquery(pending.values("pk")[:1]),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "sync_source"]

    @admin.display(description="Email", ordering="email")
    def email_address(self, obj):
        # A break opportunity after every "@" and ".", never inside a word.
        parts = re.split(r"(?<=[.@])", obj.email or "")
        return mark_safe("<wbr>".join(conditional_escape(part) for part in parts))  # noqa: S308

    @admin.display(description="Source", ordering="sync_source")
    def twizzit_badge(self, obj):
        """The badge, and under it the marker when a conflict waits for a decision."""
        return format_html("{}{}", self.badge(obj), self.conflict_marker(obj))

    @staticmethod
    def badge(obj):
        if getattr(obj, "twizzit_linked", False):
            tooltip = (
                f"{obj.twizzit_connection} ({obj.twizzit_org}) · "
                f"last synced {when(obj.twizzit_last_synced)}"
            )
            return format_html('<span class="twizzit-badge" title="{}">Twizzit</span>', tooltip)
        if obj.sync_source == SyncSource.TWIZZIT:
            return format_html(
                '<span class="twizzit-badge unlinked" title="{}">Twizzit</span>',
                "Came from Twizzit; no longer linked to a Twizzit record",
            )
        return mark_safe('<span class="manual-badge">Manual</span>')

    @staticmethod
    def conflict_marker(obj):
        conflict_id = getattr(obj, "twizzit_pending_conflict", None)
        if conflict_id is None:
            return ""
        return format_html(
            '<br><a class="conflict-marker" href="{}" title="A conflict with Twizzit waits '
            'for a decision">Pending conflict</a>',
            reverse("admin:twizzit_syncconflict_change", args=[conflict_id]),
        )

    # --- the change page's box -----------------------------------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id) if object_id else None
        extra = {"twizzit_boxes": self.boxes(obj, request)} if obj is not None else {}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def refusals(self, obj) -> dict[str, str]:
        """field → the note beside it, from every connection's mapping of `obj`."""
        notes = {}
        for mapping in self.mapping_model.objects.filter(**{self.local_attr: obj}).exclude(
            refused={}
        ):
            for name, rule in mapping.refused_rules():
                notes[name] = refusal_note(name, rule, self.opts.verbose_name)
        return notes

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            # modelform_factory made this form class for this request: its fields are its own.
            for name, note in self.refusals(obj).items():
                field = form.base_fields.get(name)
                if field is not None:
                    field.help_text = note
        return form

    def boxes(self, obj, request) -> list[dict]:
        # A player of two clubs: each club's people see their own connection's box only.
        mappings = visible(
            self.mapping_model.objects.filter(**{self.local_attr: obj}), request.user
        ).select_related("config")
        pending = list(
            SyncConflict.objects.filter(
                **{self.local_attr: obj}, resolution=Resolution.PENDING
            ).select_related("config")
        )
        boxes = []
        for mapping in mappings:
            last_run = self.last_run(mapping)
            boxes.append(
                {
                    "mapping": mapping,
                    "twizzit_id": getattr(mapping, self.remote_attr),
                    "last_synced": when(mapping.last_synced_at),
                    "mapping_url": reverse(
                        f"admin:twizzit_{self.mapping_model._meta.model_name}_change",
                        args=[mapping.pk],
                    ),
                    "connection_url": reverse(
                        "admin:twizzit_twizzitconfig_change", args=[mapping.config_id]
                    ),
                    "refused": [
                        refusal_note(name, rule, self.opts.verbose_name)
                        for name, rule in mapping.refused_rules()
                    ],
                    "last_run": last_run,
                    "last_run_url": reverse("admin:twizzit_synclog_change", args=[last_run.pk])
                    if last_run
                    else None,
                    "conflicts": [
                        {
                            "conflict": conflict,
                            "fields": ", ".join(label(name) for name in conflict.fields),
                            "url": reverse("admin:twizzit_syncconflict_change", args=[conflict.pk]),
                        }
                        for conflict in pending
                        if conflict.config_id == mapping.config_id
                    ],
                }
            )
        return boxes

    def last_run(self, mapping) -> SyncLog | None:
        """The run that last wrote this mapping: the latest one started before it was
        written, skipping selected runs that did not ask for this record."""
        key = "contact_ids" if self.mapping_model is PlayerMapping else "group_ids"
        twizzit_id = getattr(mapping, self.remote_attr)
        runs = SyncLog.objects.filter(
            config=mapping.config_id, dry_run=False, started_at__lte=mapping.last_synced_at
        ).order_by("-started_at")
        for run in runs[:50]:
            if run.sync_type != SyncType.SELECTED or twizzit_id in run.selection.get(key, []):
                return run
        return None

    # --- re-sync --------------------------------------------------------------------------
    def resync(self, request, queryset, service, noun):
        result = service(list(queryset.values_list("pk", flat=True)), user=request.user)
        report_resync(self, request, result, noun)


for model in (Player, Team, Club, Season, Game, TeamMembership):
    admin.site.unregister(model)


@admin.register(Club)
class ScopedClubAdmin(ClubScoped, ClubAdmin):
    pass


@admin.register(Season)
class ScopedSeasonAdmin(ClubScoped, SeasonAdmin):
    pass


@admin.register(Game)
class ScopedGameAdmin(ClubScoped, GameAdmin):
    pass


@admin.register(TeamMembership)
class ScopedMembershipAdmin(ClubScoped, MembershipAdmin):
    pass


@admin.register(Player)
class TwizzitPlayerAdmin(ClubScoped, PersonalDataAdmin, TwizzitRecordMixin, PlayerAdmin):
    mapping_model = PlayerMapping
    remote_attr = "twizzit_contact_id"
    local_attr = "player"
    list_display = with_badges(PlayerAdmin.list_display, after=2)
    list_filter = [*PlayerAdmin.list_filter, HasPendingConflictFilter, RefusedValuesFilter]
    actions = ["resync_from_twizzit", "erase_personal_data"]

    @admin.action(description="Re-sync selected from Twizzit", permissions=["change"])
    def resync_from_twizzit(self, request, queryset):
        self.resync(request, queryset, resync_players, "players")


@admin.register(Team)
class TwizzitTeamAdmin(ClubScoped, TwizzitRecordMixin, TeamAdmin):
    mapping_model = TeamMapping
    remote_attr = "twizzit_group_id"
    local_attr = "team"
    list_display = with_badges(TeamAdmin.list_display, after=1)
    list_filter = [*TeamAdmin.list_filter, HasPendingConflictFilter]
    actions = ["resync_from_twizzit"]

    @admin.action(description="Re-sync selected from Twizzit", permissions=["change"])
    def resync_from_twizzit(self, request, queryset):
        self.resync(request, queryset, resync_teams, "teams")
