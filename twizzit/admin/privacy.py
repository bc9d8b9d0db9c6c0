"""A member's personal data under the GDPR, in the admin.

- On players: the action "Erase personal data…", whose confirmation page (in the style
  of Django's own delete confirmation) lists, per player, everything that will go; and a
  "Download personal data" button on a player's page (one JSON file).
- "Erased contacts (not imported again)": the one trace each erasure leaves, the
  connection and the Twizzit contact id. Deleting one ("Lift: import again at the next
  sync") lifts the suppression.
- "Retention": a read-only page with the retention settings in force (from the
  environment) and what the daily clean-up would remove now.

The rules are `twizzit.services.privacy`'s, shared with the REST API and the CLI.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from twizzit.admin.scope import ClubScoped
from twizzit.models import ErasedContact, TwizzitConfig
from twizzit.services.access import visible
from twizzit.services.privacy import erasure, export, retention


class PersonalDataAdmin:
    """Mixed into the players' admin: the erase action and the download button."""

    @admin.action(description="Erase personal data…", permissions=["delete"])
    def erase_personal_data(self, request, queryset):
        players = list(queryset)
        if request.POST.get("post") == "yes":
            return self.erase_confirmed(request, players)
        context = {
            **self.admin_site.each_context(request),
            "title": "Erase personal data: are you sure?",
            "subtitle": None,
            "opts": self.model._meta,
            "plans": [erasure.plan_erasure(player) for player in players],
            "queryset": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/twizzit/privacy/erase_confirmation.html", context)

    def erase_confirmed(self, request, players) -> None:
        erased = 0
        for player in players:
            label = str(player)
            try:
                result = erasure.erase_player(player, user=request.user)
            except erasure.ErasureRefused as exc:
                self.message_user(request, f"{label} was not erased: {exc}", messages.ERROR)
                continue
            erased += 1
            for organisation, contact_id in result.suppressed:
                self.message_user(
                    request,
                    f"Twizzit contact {contact_id} of {organisation} will not be imported "
                    "again. Remove the member in Twizzit too.",
                    messages.WARNING,
                )
        if erased:
            self.message_user(
                request,
                f"Erased {erased} player{'s' if erased != 1 else ''} and every copy of "
                "their personal data.",
                messages.SUCCESS,
            )

    def get_urls(self):
        return [
            path(
                "<int:pk>/personal-data/",
                self.admin_site.admin_view(self.personal_data_view),
                name="shotspot_player_personal_data",
            ),
            *super().get_urls(),
        ]

    def personal_data_view(self, request, pk):
        player = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, player):
            raise PermissionDenied
        document = json.dumps(export.export_player(player), indent=2, ensure_ascii=False)
        response = HttpResponse(document, content_type="application/json; charset=utf-8")
        filename = f"personal-data-player-{player.pk}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        if str(object_id).isdigit():
            extra["personal_data_url"] = reverse(
                "admin:shotspot_player_personal_data", args=[object_id]
            )
        return super().change_view(request, object_id, form_url, extra)


@admin.register(ErasedContact)
class ErasedContactAdmin(ClubScoped, admin.ModelAdmin):
    """The suppressions: read-only; lifting one deletes it."""

    list_display = ["twizzit_contact_id", "config", "erased_at", "erased_by"]
    list_filter = ["config"]
    list_select_related = ["config", "erased_by"]
    search_fields = ["=twizzit_contact_id"]
    actions = ["lift"]
    change_list_template = "admin/twizzit/privacy/erasedcontact_list.html"

    def has_add_permission(self, request):
        return False  # made by an erasure only

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        title = {"title": "Erased contacts: not imported again"}
        return super().changelist_view(request, {**title, **(extra_context or {})})

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # "Lift" says what deleting does
        return actions

    @admin.action(description="Lift: import again at the next sync", permissions=["delete"])
    def lift(self, request, queryset):
        count = erasure.lift_suppression(list(queryset))
        self.message_user(
            request,
            f"{count} contact{'s' if count != 1 else ''} will be imported again at the "
            "next sync of their connection.",
            messages.SUCCESS,
        )

    def get_urls(self):
        return [
            path(
                "retention/",
                self.admin_site.admin_view(self.retention_view),
                name="twizzit_retention",
            ),
            *super().get_urls(),
        ]

    def retention_view(self, request):
        if not request.user.is_staff:
            raise PermissionDenied
        report = retention.prune(dry_run=True)
        context = {
            **self.admin_site.each_context(request),
            "title": "Retention of personal data",
            "opts": self.model._meta,
            "rules": retention.rules(),
            "due": report.lines(),
            "batch_size": settings.RETENTION_BATCH_SIZE,
            "connections": [
                {
                    "config": config,
                    "months": config.anonymise_archived_after_months,
                    "url": reverse("admin:twizzit_twizzitconfig_change", args=[config.pk]),
                }
                for config in visible(TwizzitConfig.objects.all(), request.user).order_by(
                    "organization_name"
                )
            ],
        }
        return TemplateResponse(request, "admin/twizzit/privacy/retention.html", context)
