"""Rules about Twizzit base URLs, shared by the model, the forms, the API and the client.

Credentials travel to the base URL, so it must be https; plain http is allowed only to a
loopback host (the local sandbox).
"""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

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
