"""Who holds which role on which connection, managed in the admin (federation admins only).

The roles (`ConnectionAccess`: club admin or coach of a connection) are edited as a table
on the connection's page and on the user's page; only federation admins (superusers,
`twizzit-admin`) see or change them, since a role decides which club's members a person
reads. The rule they feed is `twizzit.services.access`.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from twizzit.models import ConnectionAccess
from twizzit.services.access import is_federation_admin


class AccessInline(admin.TabularInline):
    model = ConnectionAccess
    extra = 0
    verbose_name = "club role"
    verbose_name_plural = "club roles (each club sees its own)"

    def _federation(self, request) -> bool:
        return is_federation_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return self._federation(request)

    def has_add_permission(self, request, obj=None):
        return self._federation(request)

    def has_change_permission(self, request, obj=None):
        return self._federation(request)

    def has_delete_permission(self, request, obj=None):
        return self._federation(request)


class UserAccessInline(AccessInline):
    fields = ["config", "role"]
    autocomplete_fields = ["config"]


class ConnectionAccessInline(AccessInline):
    fields = ["user", "role"]
    autocomplete_fields = ["user"]


User = get_user_model()
base = type(admin.site._registry[User]) if admin.site.is_registered(User) else UserAdmin
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserWithAccessAdmin(base):
    inlines = [*getattr(base, "inlines", ()), UserAccessInline]
