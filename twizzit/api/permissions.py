"""Who may do what: two roles, checked on every request.

- Twizzit admin: a superuser, or a member of the group `twizzit-admin`. May do everything,
  including changing connections (where the stored password is sent). Being `is_staff`
  alone grants nothing here: it only opens the Django admin, where Django's own model
  permissions apply (docs/api.md, "Roles").
- Coach: a member of the group `coach`. May read (connections without secrets, sync logs,
  mappings, conflicts, status, ShotSpot's data), start and cancel syncs, and test a saved
  connection. May not change connections, test typed-in credentials, resolve conflicts
  or relink mappings: those change what ShotSpot holds or where credentials go.
- Anyone else who is logged in gets 403; a request without credentials gets 401.

A view lists the actions coaches may take in `coach_actions`; everything else is for
admins only.
"""

from __future__ import annotations

from rest_framework.permissions import BasePermission

ADMIN_GROUP = "twizzit-admin"
COACH_GROUP = "coach"


def roles_of(user) -> frozenset[str]:
    """The user's Twizzit roles ("admin", "coach"), looked up once per request."""
    if not user or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_twizzit_roles", None)
    if cached is None:
        groups = set(
            user.groups.filter(name__in=[ADMIN_GROUP, COACH_GROUP]).values_list("name", flat=True)
        )
        roles = set()
        if user.is_superuser or ADMIN_GROUP in groups:
            roles.add("admin")
        if COACH_GROUP in groups:
            roles.add("coach")
        cached = user._twizzit_roles = frozenset(roles)
    return cached


class TwizzitRole(BasePermission):
    """Admins may do everything; coaches only the view's `coach_actions`."""

    message = "This needs the Twizzit admin or coach role."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False  # DRF answers 401 with a WWW-Authenticate header
        if user.is_superuser:
            return True  # no query: superusers are admins whatever their groups
        roles = roles_of(user)
        if "admin" in roles:
            return True
        if "coach" in roles:
            if getattr(view, "action", None) in getattr(view, "coach_actions", ()):
                return True
            self.message = "Only Twizzit admins may do this; coaches may read, sync and cancel."
        return False
