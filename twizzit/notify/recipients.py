"""Who hears about a connection: its own list of addresses, or else the superusers.

A connection's `notify_emails` is stored as one comma-separated line ("a@x.be, b@y.be")
so the admin shows it as text; the REST API and the CLI read and write it as a list.
"""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

SEPARATORS = re.compile(r"[,;\s]+")


def parse_email_list(text: str | list | None) -> list[str]:
    """The addresses in `text` (commas, semicolons, spaces or new lines between them).

    Raises ValidationError naming every address that is not one; duplicates are dropped.
    """
    if isinstance(text, list | tuple):
        items = [str(item).strip() for item in text]
    else:
        items = SEPARATORS.split(text or "")
    addresses, invalid = [], []
    for item in items:
        if not item:
            continue
        try:
            validate_email(item)
        except ValidationError:
            invalid.append(item)
            continue
        if item.lower() not in (known.lower() for known in addresses):
            addresses.append(item)
    if invalid:
        raise ValidationError(
            "Not an e-mail address: " + ", ".join(invalid) + ".", code="invalid_email"
        )
    return addresses


def format_email_list(addresses: list[str]) -> str:
    return ", ".join(addresses)


def validate_email_list(text: str) -> None:
    parse_email_list(text)


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
