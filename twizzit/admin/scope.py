"""Each club sees its own, in the admin: the club scope every ModelAdmin here mixes in.

`ClubScoped` narrows what the admin shows and touches to `twizzit.services.access.visible`:
changelists, change pages (another club's id answers 404, like one that does not exist),
search, autocomplete (Django asks the related model's admin for its queryset), the
connection filters in the sidebar (only connections the user reaches), the choices of a
form's foreign keys, and actions: a selection holding an id the user may not see is
refused as a whole. Changing or deleting a row needs the club admin role on it (a coach
sees it read-only); Django's model permissions still apply on top, as before.

Federation admins (superusers, `twizzit-admin`) pass through unchanged.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import get_fields_from_path
from django.db import models
from django.http import Http404

from twizzit.services.access import ADMIN, visible


class ClubScoped:
    """Mixed in before `admin.ModelAdmin`: every queryset of the admin through `visible`."""

    def get_queryset(self, request):
        return visible(super().get_queryset(request), request.user)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the index saying the id does not exist; another club's id
        # must not be told apart from a missing one, and a plain 404 says neither.
        raise Http404(f"No {opts.verbose_name} with this id.")

    def get_list_filter(self, request):
        # A sidebar of every connection would name the other clubs: only related rows the
        # user's own rows point at are offered.
        filters = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str):
                field = get_fields_from_path(self.model, entry)[-1]
                if isinstance(field, models.ForeignKey):
                    entry = (entry, admin.RelatedOnlyFieldListFilter)
            filters.append(entry)
        return filters

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            related = db_field.remote_field.model
            kwargs["queryset"] = visible(related._default_manager.all(), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _club_admin_of(self, request, obj) -> bool:
        if obj is None:
            return True
        rows = type(obj)._default_manager.filter(pk=obj.pk)
        return visible(rows, request.user, ADMIN).exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._club_admin_of(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._club_admin_of(request, obj)

    def response_action(self, request, queryset):
        # Django drops ids outside the changelist's queryset silently; a selection with
        # another club's id (a forged form) is refused whole instead: nothing is done.
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        across = request.POST.get("select_across") not in (None, "", "0")
        if selected and not across:
            ids = {value for value in selected if str(value).isdigit()}
            if len(ids) != len(selected) or queryset.filter(pk__in=ids).count() != len(ids):
                self.message_user(
                    request,
                    "Some of the selected items are not yours: nothing was done.",
                    messages.ERROR,
                )
                return None
        return super().response_action(request, queryset)
