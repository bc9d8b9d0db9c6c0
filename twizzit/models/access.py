"""Who may see and act on a connection: a role (club admin or coach) per user per connection.

One ShotSpot serves many clubs, each with its own Twizzit organisation (a connection). A
club's people hold a role on their club's connection(s) only; what a role lets them see
and do is `twizzit.services.access`'s, the one place the rule lives. Federation admins
(superusers and the `twizzit-admin` group) and the global `coach` group need no rows here:
they reach every connection.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q

from shotspot.models import TimeStamped
from twizzit.models.connections import TwizzitConfig

ADMIN_GROUP = "twizzit-admin"  # federation admins: all clubs
COACH_GROUP = "coach"  # coach of every club (its meaning before roles per club)


class ConnectionRole(models.TextChoices):
    ADMIN = "admin", "Club admin"
    COACH = "coach", "Coach"


class ConnectionAccess(TimeStamped):
    """A user's role on one connection: one row per (user, connection)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="twizzit_access"
    )
    config = models.ForeignKey(
        TwizzitConfig,
        on_delete=models.CASCADE,
        related_name="access",
        verbose_name="connection",
    )
    role = models.CharField(max_length=10, choices=ConnectionRole.choices)

    class Meta:
        verbose_name = "club access"
        verbose_name_plural = "club access"
        ordering = ["config", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "config"], name="one_role_per_connection")
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} of {self.config}"


def club_admins(config):
    """Active users holding the club admin role on this connection."""
    return get_user_model().objects.filter(
        is_active=True, twizzit_access__config=config, twizzit_access__role=ConnectionRole.ADMIN
    )


def federation_admins():
    """Active superusers and members of `twizzit-admin`: every club."""
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=ADMIN_GROUP), is_active=True)
        .distinct()
    )
