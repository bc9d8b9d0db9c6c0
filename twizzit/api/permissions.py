"""Who may do what over REST: roles checked on every request, rows scoped per club.

- Federation admin: a superuser, or a member of the group `twizzit-admin` (all clubs). May
  do everything, including creating connections. Being `is_staff` alone grants nothing.
- Club admin of a connection (`ConnectionAccess`, role admin): everything on that
  connection's rows: change it, resolve conflicts, relink mappings, a player's personal data.
- Coach (the role on a connection, or the global group `coach`: coach of every club): may
  read, start and cancel syncs and test a saved connection. May not change connections,
  resolve conflicts or relink mappings.
- Anyone else who is logged in gets 403; a request without credentials gets 401.

Which rows a user sees is `twizzit.services.access.visible`, applied by
`TwizzitViewSet.filter_queryset`: another club's row answers 404, never 403. A view lists
the actions coaches may take in `coach_actions`; everything else needs the admin role on
the row's connection (a coach there gets 403).
"""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from twizzit.services.access import ADMIN_GROUP, COACH_GROUP, roles_of

__all__ = ["ADMIN_GROUP", "COACH_GROUP", "TwizzitRole", "roles_of"]


class TwizzitRole(BasePermission):
    """Admins (of any club) may call every action; coaches only the view's `coach_actions`.

    Which rows and whose connection is decided per object by the view (`visible`)."""

    message = "This needs the Twizzit admin or coach role."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False  # DRF answers 401 with a WWW-Authenticate header
        roles = roles_of(user)
        if "admin" in roles:
            return True
        if "coach" in roles:
            if getattr(view, "action", None) in getattr(view, "coach_actions", ()):
                return True
            if view.lookup_field in getattr(view, "kwargs", {}):
                # An id in the path: the row decides. Another club's answers 404 (its
                # existence not disclosed), an own club's 403 (the view's object check).
                return True
            self.message = "Only Twizzit admins may do this; coaches may read, sync and cancel."
        return False
