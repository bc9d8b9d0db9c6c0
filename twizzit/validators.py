"""Rules for the values a person types into a connection, shared by the model, the forms,
the API and the CLI.

- Base URLs: credentials travel to the base URL, so it must be https; plain http is
  allowed only to a loopback host (the local sandbox).
- E-mail lists: a connection's `notify_emails` is stored as one comma-separated line
  ("a@x.be, b@y.be") so the admin shows it as text; the REST API and the CLI read and
  write it as a list.
"""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from twizzit.client import is_loopback_host


def validate_api_base_url(url: str) -> None:
    parts = urlsplit(url or "")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValidationError(f"{url!r} is not an http(s) URL.", code="invalid_url")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ValidationError(
            f"{url} must use https: the Twizzit password is sent to it "
            "(plain http is allowed only to a loopback host such as the local sandbox).",
            code="insecure_url",
        )


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
