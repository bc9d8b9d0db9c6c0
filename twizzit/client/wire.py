"""What goes on the wire and comes back: base URLs, query strings, login answers, JSON
bodies and error texts, with every secret masked out of what a person may read.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from twizzit.client.errors import (
    TwizzitBadResponse,
    TwizzitConfigError,
    TwizzitQuotaError,
)
from twizzit.logging_filters import redact

API_PREFIX = "/v2/api/"
USER_AGENT = "shotspot-twizzit/0.1 (+python-requests)"
# A token is replaced this long before Twizzit's `valid-till`, so it never expires mid-call.
TOKEN_MARGIN = timedelta(seconds=60)
# Servers and proxies commonly refuse request lines over 8 KiB; 4000 characters for the
# whole URL leaves room for any of them.
URL_BUDGET = 4000
# group-contacts batches are sized as if the offset had this many digits.
OFFSET_DIGITS_RESERVED = 10
EXCERPT_CHARS = 200
RETRY_STATUSES = frozenset(range(500, 600))
MONTHLY_LIMIT_TEXT = "monthly limit exceeded"
LOOPBACK_NAMES = frozenset({"localhost"})


def is_loopback_host(host: str | None) -> bool:
    """True for localhost and loopback addresses: the only hosts plain http may reach."""
    if not host:
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _checked_base_url(url: str) -> str:
    parts = urlsplit(url or "")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise TwizzitConfigError("The Twizzit base URL must be an http(s) URL with a host.")
    if parts.username or parts.password:
        raise TwizzitConfigError("The Twizzit base URL must not hold credentials.")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise TwizzitConfigError(
            f"The Twizzit base URL must use https (http://{parts.hostname} would send the "
            "password in clear); plain http is allowed only to a loopback host."
        )
    base = url.rstrip("/")
    return base.removesuffix(API_PREFIX.rstrip("/"))


def _query(params: dict) -> str:
    """Twizzit's query string: lists repeat as `name[]`, booleans as true/false."""
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, Iterable) and not isinstance(value, str | bytes):
            pairs.extend((f"{name}[]", _scalar(item)) for item in value)
        else:
            pairs.append((name, _scalar(value)))
    # urllib3 percent-encodes "[" and "]" in any request target anyway, so the encoded
    # form is what travels and what the URL budget counts.
    return urlencode(pairs)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _still_valid(valid_till: datetime | None) -> bool:
    if valid_till is None:
        return False
    if valid_till.tzinfo is None:
        valid_till = valid_till.replace(tzinfo=UTC)
    return datetime.now(UTC) < valid_till - TOKEN_MARGIN


def _parse_login(response: requests.Response) -> tuple[str, datetime]:
    try:
        body = response.json()
    except ValueError:
        body = None  # the body is not echoed: a login answer may hold a token
    token = body.get("token") if isinstance(body, dict) else None
    valid_till = body.get("valid-till") if isinstance(body, dict) else None
    usable_token = (
        isinstance(token, str) and bool(token) and token.isprintable() and " " not in token
    )
    try:
        expiry = datetime.fromtimestamp(float(valid_till), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        expiry = None
    if not usable_token or expiry is None or isinstance(valid_till, bool):
        fields = sorted(body) if isinstance(body, dict) else type(body).__name__
        raise TwizzitBadResponse(
            f"Twizzit's login answer has no usable token and valid-till (got {fields}).",
            status=response.status_code,
        )
    return token, expiry


def _json_body(response: requests.Response, endpoint: str, *secrets: str | None) -> Any:
    try:
        return response.json()
    except ValueError:
        text = response.text or ""
        # A cut-off JSON answer is members' data: say so instead of quoting it. Anything
        # else (a proxy's maintenance page) is quoted, it tells what went wrong.
        shown = (
            f"a cut-off or invalid JSON body of {len(text)} characters"
            if text.lstrip()[:1] in ("[", "{")
            else f"a body that is not JSON: {_excerpt(text, *secrets)}"
        )
        raise TwizzitBadResponse(
            f"Twizzit answered {endpoint} with status {response.status_code} and {shown}",
            status=response.status_code,
        ) from None


def _error_text(response: requests.Response, *secrets: str | None) -> str:
    """Twizzit's `{"error": ...}` message, or a short excerpt of whatever came instead."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return _shorten(body["error"], *secrets)
    return _excerpt(response.text, *secrets)


def _raise_if_monthly_limit(response: requests.Response, endpoint: str) -> None:
    if MONTHLY_LIMIT_TEXT in response.text.lower():
        raise TwizzitQuotaError(
            f"Twizzit refused {endpoint}: the monthly call limit of this account is "
            "exceeded. Nothing more can be fetched until the quota renews.",
            status=response.status_code,
        )


def _shorten(text: str, *secrets: str | None) -> str:
    """One line of at most EXCERPT_CHARS, with known secrets and credential shapes masked."""
    flat = " ".join((text or "").split())
    for secret in secrets:
        if secret:
            flat = flat.replace(secret, "[redacted]")
    flat = redact(flat)
    return flat[:EXCERPT_CHARS] + ("…" if len(flat) > EXCERPT_CHARS else "")


def _excerpt(text: str, *secrets: str | None) -> str:
    short = _shorten(text, *secrets)
    return repr(short) if short else "(empty body)"
