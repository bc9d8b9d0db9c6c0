"""Who hears about a connection: only that club's people, never another club.

In order: the connection's own list of addresses; else the users with the club admin role
on it (`twizzit.models.access`); else the federation admins (superusers and the
`twizzit-admin` group). The list itself is parsed by `twizzit.validators.parse_email_list`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from twizzit.models.access import club_admins, federation_admins
from twizzit.validators import parse_email_list


def _addresses(users) -> list[str]:
    return list(
        dict.fromkeys(users.exclude(email="").order_by("pk").values_list("email", flat=True))
    )


def superuser_addresses() -> list[str]:
    """The federation admins' addresses (superusers and `twizzit-admin`)."""
    return _addresses(federation_admins())


def recipients_for(config) -> list[str]:
    """The connection's addresses, else its club admins', else the federation admins'."""
    try:
        own = parse_email_list(config.notify_emails)
    except ValidationError:
        own = []  # the model refuses bad lists; a row edited around it falls back
    return own or _addresses(club_admins(config)) or superuser_addresses()
