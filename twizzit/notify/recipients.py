"""Who hears about a connection: its own list of addresses, or else the superusers.

The list itself is parsed by `twizzit.validators.parse_email_list`.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from twizzit.validators import parse_email_list


def superuser_addresses() -> list[str]:
    users = get_user_model().objects.filter(is_superuser=True, is_active=True).exclude(email="")
    return list(dict.fromkeys(users.order_by("pk").values_list("email", flat=True)))


def recipients_for(config) -> list[str]:
    """The connection's addresses; when it lists none, the active superusers' addresses."""
    try:
        own = parse_email_list(config.notify_emails)
    except ValidationError:
        own = []  # the model refuses bad lists; a row edited around it falls back
    return own or superuser_addresses()
