"""The Twizzit API v2 client: the only module of the project that speaks HTTP.

One `TwizzitClient` is one connection (base URL, account, organisation) over one
`requests.Session`. Twizzit counts every call against a tight monthly quota, so the
client spends calls as if they were money:

- It logs in with a form-urlencoded POST and reuses the token until 60 s before the
  answer's `valid-till` (not the JWT's own, longer `exp`). A `TokenStore` lets the token
  outlive the instance and the process. A 401 on a data call costs exactly one fresh
  login and one retry.
- Listings ask for the largest page each endpoint allows and stop on the first page
  shorter than that, so N records at page size P cost N // P + 1 calls. A server that
  sends the same page again raises `TwizzitPagingError` instead of looping forever.
- Connection errors, timeouts and 5xx answers are retried by urllib3's `Retry`
  (exponential backoff with jitter). A 429 is waited out when its Retry-After fits
  under a cap; "Monthly limit exceeded" is never retried.
- Every HTTP request, logins and retries included, first goes through the `UsageMeter`,
  which may refuse it before anything is sent (the monthly quota), and is counted in
  `calls_made`.
- Every failure becomes one of the `TwizzitError` classes; their messages, the logs and
  the client's repr never hold the password or the token.

Nothing here imports Django: `twizzit.gateway` wires a connection row to a client (its
sealed token cache and its quota meter). See docs/client.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.util.retry import Retry

from twizzit.logging_filters import redact

logger = logging.getLogger(__name__)

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


# --- errors -----------------------------------------------------------------------------
class TwizzitError(Exception):
    """Talking to Twizzit failed; `status` is the HTTP status when there was an answer."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


class TwizzitAuthError(TwizzitError):
    """Twizzit refused the credentials, or still answered 401 after a fresh login."""


class TwizzitPermissionError(TwizzitError):
    """The account may not read the organisation (403) or the endpoint."""

    def __init__(self, message: str, *, status: int | None = None, organization_id=None):
        super().__init__(message, status=status)
        self.organization_id = organization_id


class TwizzitRateLimitError(TwizzitError):
    """A 429 (not the monthly limit) that waiting within the cap did not get past."""

    def __init__(self, message: str, *, status: int | None = 429, retry_after=None):
        super().__init__(message, status=status)
        self.retry_after = retry_after


class TwizzitQuotaError(TwizzitError):
    """The monthly call quota is spent: Twizzit said so, or our meter refused to send."""


class TwizzitBadResponse(TwizzitError):
    """Twizzit answered something we cannot use: not JSON, the wrong shape, a surprise status."""


class TwizzitUnavailable(TwizzitError):
    """Twizzit could not be reached, timed out or kept failing (5xx) after the retries."""


class TwizzitPagingError(TwizzitError):
    """Twizzit sent a page it had already sent: following it would loop forever."""


class TwizzitConfigError(TwizzitError):
    """The connection settings cannot be used, e.g. plain http to a non-loopback host."""


# --- collaborators ----------------------------------------------------------------------
class TokenStore(Protocol):
    """Where a login's token is kept so later clients (and processes) can reuse it."""

    def load(self) -> tuple[str, datetime] | None: ...

    def save(self, token: str, valid_till: datetime) -> None: ...

    def clear(self) -> None: ...


class UsageMeter(Protocol):
    """Counts each HTTP request before it is sent; raises TwizzitQuotaError to refuse it."""

    def before_request(self, endpoint: str) -> None: ...


class MemoryTokenStore:
    """Keeps the token in this process; clients sharing one instance share the login."""

    def __init__(self) -> None:
        self._entry: tuple[str, datetime] | None = None

    def __repr__(self) -> str:
        return "<MemoryTokenStore>"

    def load(self) -> tuple[str, datetime] | None:
        return self._entry

    def save(self, token: str, valid_till: datetime) -> None:
        self._entry = (token, valid_till)

    def clear(self) -> None:
        self._entry = None


class NullMeter:
    """Counts nothing and refuses nothing (no quota)."""

    def before_request(self, endpoint: str) -> None:
        return None


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


# --- retries ----------------------------------------------------------------------------
class ReportingRetry(Retry):
    """urllib3's Retry, reporting each retry it is about to send to `on_retry(url)`.

    A retry is an HTTP request like any other: the client counts it and its quota meter
    may refuse it (raising from here stops urllib3 before the request goes out). urllib3
    waits out a 503's Retry-After, capped at `retry_after_cap` seconds; a 429 is left to
    the client, because its body may say the monthly quota is spent.
    """

    RETRY_AFTER_STATUS_CODES = frozenset({503})

    def __init__(
        self,
        *args,
        on_retry: Callable[[str], None] | None = None,
        retry_after_cap: float = 60,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.on_retry = on_retry
        self.retry_after_cap = retry_after_cap

    def new(self, **kw: Any) -> ReportingRetry:
        # urllib3 makes a fresh Retry for every attempt; the callback must travel along.
        kw.setdefault("on_retry", self.on_retry)
        kw.setdefault("retry_after_cap", self.retry_after_cap)
        return super().new(**kw)

    def increment(
        self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None
    ) -> ReportingRetry:
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        if self.on_retry is not None:
            try:
                self.on_retry(url or "")
            except BaseException:
                if response is not None:
                    with contextlib.suppress(Exception):
                        response.drain_conn()
                raise
        return retry

    def get_retry_after(self, response) -> float | None:
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, self.retry_after_cap)


# --- the client -------------------------------------------------------------------------
class TwizzitClient:
    """One Twizzit connection (base URL, account, organisation) over one requests.Session.

    Not thread-safe: give each thread or task its own client (they can share a store).
    """

    CONTACTS_PAGE_SIZE = 100
    GROUPS_PAGE_SIZE = 250
    GROUP_CONTACTS_PAGE_SIZE = 250
    # Not documented for events: 100 is the largest page proven to be accepted.
    EVENTS_PAGE_SIZE = 100
    DEFAULT_PAGE_SIZE = 100
    URL_BUDGET = URL_BUDGET

    def __init__(
        self,
        *,
        base_url: str,
        username: str,
        password: str | Callable[[], str],
        organization_id: int,
        token_store: TokenStore | None = None,
        meter: UsageMeter | None = None,
        timeout: float | tuple[float, float] = (5, 30),
        max_retries: int = 3,
        backoff_factor: float = 0.5,
        retry_after_cap: float = 60,
        session: requests.Session | None = None,
    ):
        self.base_url = _checked_base_url(base_url)
        self.username = username
        self._password = password  # a str, or a callable so a sealed password opens late
        self.organization_id = int(organization_id)
        self.token_store = token_store if token_store is not None else MemoryTokenStore()
        self.meter = meter if meter is not None else NullMeter()
        self.timeout = timeout
        self.max_retries = max_retries
        self.retry_after_cap = retry_after_cap
        self.calls_made = 0
        self._token: str | None = None
        self._valid_till: datetime | None = None
        self._retry = ReportingRetry(
            total=max_retries,
            connect=max_retries,
            read=max_retries,
            status=max_retries,
            other=0,  # TLS and protocol surprises do not heal by retrying
            backoff_factor=backoff_factor,
            backoff_jitter=backoff_factor,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "POST"}),  # a repeated login is harmless
            raise_on_status=False,  # the last 5xx comes back as a response we can explain
            on_retry=self._count_retry,
            retry_after_cap=retry_after_cap,
        )
        self.session = session if session is not None else requests.Session()
        adapter = HTTPAdapter(max_retries=self._retry)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers.update({"Accept": "application/json", "User-Agent": USER_AGENT})

    def __repr__(self) -> str:
        return f"<TwizzitClient {self.base_url} org={self.organization_id}>"

    def close(self) -> None:
        """Release the session's connections."""
        self.session.close()

    # --- authentication -------------------------------------------------------------
    def authenticate(self) -> None:
        """Log in now, whatever token is cached; the new token is stored for reuse."""
        self._login()

    def _login(self) -> str:
        password = self._password() if callable(self._password) else self._password
        response = self._send(
            "POST", "authenticate", data={"username": self.username, "password": password}
        )
        if response.status_code in (400, 401, 403):
            self._forget_token()
            reason = _error_text(response, password)
            raise TwizzitAuthError(
                f"Twizzit refused the credentials of user {self.username!r}: {reason}",
                status=response.status_code,
            )
        # An error page may echo the form it was sent: mask the password in any excerpt.
        self._raise_for_status(response, "authenticate", password)
        token, valid_till = _parse_login(response)
        self.token_store.save(token, valid_till)
        self._token, self._valid_till = token, valid_till
        logger.info(
            "Logged in to Twizzit as %s for organisation %s; token valid till %s",
            self.username,
            self.organization_id,
            valid_till.isoformat(),
        )
        return token

    def _current_token(self) -> str:
        if self._token and _still_valid(self._valid_till):
            return self._token
        stored = self.token_store.load()
        if stored and stored[0] and _still_valid(stored[1]):
            self._token, self._valid_till = stored
            return self._token
        return self._login()

    def _forget_token(self) -> None:
        self._token = self._valid_till = None
        self.token_store.clear()

    # --- endpoints --------------------------------------------------------------------
    def organizations(self) -> list[dict]:
        return self._get_list("organizations", {})

    def seasons(self, *, season_ids=None, is_current_season=None) -> list[dict]:
        return self._get_list(
            "seasons",
            self._scoped({"season-ids": season_ids, "is-current-season": is_current_season}),
        )

    def iter_groups(
        self,
        *,
        season_id=None,
        group_type=None,
        group_ids=None,
        category_ids=None,
        series_ids=None,
        club_ids=None,
    ) -> Iterator[list[dict]]:
        params = {
            "season-id": season_id,
            "group-type": group_type,
            "group-ids": group_ids,
            "group-category-ids": category_ids,
            "series-ids": series_ids,
            "club-ids": club_ids,
        }
        return self._pages("groups", self._scoped(params), self.GROUPS_PAGE_SIZE)

    def group_types(self) -> list[dict]:
        return self._get_list("group-types", self._scoped({}))

    def group_categories(self, *, category_ids=None, group_type=None) -> list[dict]:
        return self._get_list(
            "group-categories",
            self._scoped({"group-category-ids": category_ids, "group-type": group_type}),
        )

    def iter_contacts(
        self,
        *,
        contact_ids=None,
        membership_type_ids=None,
        membership_season_ids=None,
        current_membership=None,
    ) -> Iterator[list[dict]]:
        params = {
            "contact-ids": contact_ids,
            "membership-type-ids": membership_type_ids,
            "membership-season-ids": membership_season_ids,
            "current-membership": current_membership,
        }
        return self._pages("contacts", self._scoped(params), self.CONTACTS_PAGE_SIZE)

    def iter_group_contacts(self, group_ids: Iterable[int]) -> Iterator[list[dict]]:
        """Roster rows of the groups: as many groups per call as fit the URL budget.

        Each batch is paged with limit/offset and ends on a short page. Paging is not
        documented for this endpoint, so the server's answers are read for what they
        prove: a page longer than the limit means it sent everything (the batch is
        complete), while a full page of rows already seen means it ignores the offset and
        the rest cannot be reached: `TwizzitPagingError`, because a roster read as
        complete when it is not would remove memberships Twizzit still has. No row is
        yielded twice.
        """
        for batch in self.group_id_batches(group_ids):
            yield from self._group_contact_pages(batch)

    def contact_functions(self, *, function_ids=None, function_type=None) -> list[dict]:
        return self._get_list(
            "contact-functions",
            self._scoped(
                {"contact-function-ids": function_ids, "contact-function-type": function_type}
            ),
        )

    def iter_memberships(self) -> Iterator[list[dict]]:
        return self._pages("memberships", self._scoped({}), self.DEFAULT_PAGE_SIZE)

    def membership_types(self) -> list[dict]:
        return self._get_list("membership-types", self._scoped({}))

    def event_types(self) -> list[dict]:
        return self._get_list("event-types", self._scoped({}))

    def event_sub_types(self, *, sub_type_ids=None) -> list[dict]:
        return self._get_list("event-sub-types", self._scoped({"event-sub-type-ids": sub_type_ids}))

    def iter_events(self, *, start_date=None, end_date=None) -> Iterator[list[dict]]:
        """The organisation's events starting between the two dates (YYYY-MM-DD, inclusive)."""
        params = {"start-date": start_date, "end-date": end_date}
        return self._pages("events", self._scoped(params), self.EVENTS_PAGE_SIZE)

    def probe(self, endpoint: str) -> list[dict]:
        """At most one record of a list endpoint of the organisation: a one-call access check."""
        return self._get_list(endpoint, self._scoped({"limit": 1}))

    # --- paging -----------------------------------------------------------------------
    def _pages(self, endpoint: str, params: dict, page_size: int) -> Iterator[list[dict]]:
        seen_pages: set[str] = set()
        offset = 0
        while True:
            page = self._get_list(endpoint, {**params, "limit": page_size, "offset": offset})
            fingerprint = _fingerprint(page)
            if page and fingerprint in seen_pages:
                raise TwizzitPagingError(
                    f"Twizzit sent the same page of {endpoint} again at offset {offset}; "
                    "stopped instead of looping forever.",
                    status=200,
                )
            seen_pages.add(fingerprint)
            if page:
                yield page
            if len(page) < page_size:
                return
            offset += len(page)

    def group_id_batches(self, group_ids: Iterable[int]) -> Iterator[list[int]]:
        """The group ids of `iter_group_contacts`, split into calls that fit the URL budget."""
        return self.id_batches(
            "group-contacts", "group-ids", group_ids, page_size=self.GROUP_CONTACTS_PAGE_SIZE
        )

    def id_batches(
        self,
        endpoint: str,
        name: str,
        ids: Iterable[int],
        *,
        page_size: int,
        params=None,
        max_ids: int | None = None,
    ) -> Iterator[list[int]]:
        """`ids` for the `name[]` filter of `endpoint`, split into calls within the URL budget.

        The fixed part of the URL (organisation, `params`, limit and an offset of the
        widest width) is measured once; each id then costs its own characters. With
        `max_ids` no batch holds more ids than that.
        """
        ids = list(dict.fromkeys(int(record_id) for record_id in ids))
        reserve = {**(params or {}), "limit": page_size, "offset": 10**OFFSET_DIGITS_RESERVED - 1}
        fixed = len(self._url(endpoint, self._scoped(reserve)))
        per_id = len(urlencode({f"{name}[]": ""})) + 1  # "&group-ids%5B%5D="
        batch: list[int] = []
        length = fixed
        for record_id in ids:
            cost = per_id + len(str(record_id))
            if fixed + cost > self.URL_BUDGET:
                raise TwizzitConfigError(f"Id {record_id} does not fit in a URL.")
            if length + cost > self.URL_BUDGET or len(batch) == max_ids:
                yield batch
                batch, length = [], fixed
            batch.append(record_id)
            length += cost
        if batch:
            yield batch

    def iter_contacts_by_id(self, contact_ids: Iterable[int]) -> Iterator[list[dict]]:
        """Only these contacts: as many ids per call as fit the URL budget.

        A batch holds fewer ids than a page, so its one answer is a short page and no
        second call is needed to prove the end.
        """
        size = self.CONTACTS_PAGE_SIZE
        for batch in self.id_batches(
            "contacts", "contact-ids", contact_ids, page_size=size, max_ids=size - 1
        ):
            yield from self.iter_contacts(contact_ids=batch)

    def iter_groups_by_id(self, group_ids: Iterable[int], *, group_type=None):
        """Only these groups: as many ids per call as fit the URL budget (one page each)."""
        for batch in self.id_batches(
            "groups",
            "group-ids",
            group_ids,
            page_size=self.GROUPS_PAGE_SIZE,
            params={"group-type": group_type},
            max_ids=self.GROUPS_PAGE_SIZE - 1,
        ):
            yield from self.iter_groups(group_ids=batch, group_type=group_type)

    def _group_contact_pages(self, batch: list[int]) -> Iterator[list[dict]]:
        page_size = self.GROUP_CONTACTS_PAGE_SIZE
        seen_rows: set[str] = set()
        offset = 0
        while True:
            params = self._scoped({"group-ids": batch, "limit": page_size, "offset": offset})
            page = self._get_list("group-contacts", params)
            fresh = []
            for row in page:
                key = _canonical(row)
                if key not in seen_rows:
                    seen_rows.add(key)
                    fresh.append(row)
            if len(page) == page_size and not fresh:
                raise TwizzitPagingError(
                    f"Twizzit sent the same page of group-contacts again at offset {offset} "
                    f"for a batch of {len(batch)} groups: it seems to ignore the offset, so "
                    "the roster listing may be incomplete.",
                    status=200,
                )
            if fresh:
                yield fresh
            # A short page proves the end; a longer one means the limit was ignored and
            # the server sent all the rows there were.
            if len(page) != page_size:
                return
            offset += len(page)

    # --- HTTP -------------------------------------------------------------------------
    def _scoped(self, params: dict) -> dict:
        return {"organization-ids": [self.organization_id], **params}

    def _url(self, endpoint: str, params: dict | None = None) -> str:
        query = _query(params or {})
        url = f"{self.base_url}{API_PREFIX}{endpoint}"
        return f"{url}?{query}" if query else url

    def _get_list(self, endpoint: str, params: dict) -> list[dict]:
        """The records of one call. A row that is not an object is passed on as it is: the
        caller reports that one record, and the rest of the page still counts."""
        response = self._get(endpoint, params)
        body = _json_body(response, endpoint, self._token)
        if not isinstance(body, list):
            # Described, not quoted: a data answer holds members' personal data.
            shape = (
                f"an object with keys {sorted(body)[:5]}"
                if isinstance(body, dict)
                else (type(body).__name__)
            )
            raise TwizzitBadResponse(
                f"Twizzit answered {endpoint} with status {response.status_code} and not a "
                f"list of records (got {shape})",
                status=response.status_code,
            )
        logger.debug("Twizzit %s: %s records", endpoint, len(body))
        return body

    def _get(self, endpoint: str, params: dict) -> requests.Response:
        """A data call: with the token, and one fresh login + one retry on a 401."""
        response = self._send("GET", endpoint, params=params, token=self._current_token())
        if response.status_code == 401:
            logger.info("Twizzit answered 401 to %s; logging in again once.", endpoint)
            response = self._send("GET", endpoint, params=params, token=self._login())
            if response.status_code == 401:
                raise TwizzitAuthError(
                    f"Twizzit still refused {endpoint} (401) right after a fresh login.",
                    status=401,
                )
        self._raise_for_status(response, endpoint)
        return response

    def _send(self, method, endpoint, *, params=None, data=None, token=None) -> requests.Response:
        """One request as the caller sees it: metered, retried by urllib3, 429s waited out."""
        url = self._url(endpoint, params)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        waited, attempt = 0.0, 0
        while True:
            response = self._send_once(method, endpoint, url, data=data, headers=headers)
            if response.status_code != 429:
                return response
            _raise_if_monthly_limit(response, endpoint)
            retry_after = self._retry_after(response)
            if (
                retry_after is None
                or waited + retry_after > self.retry_after_cap
                or attempt >= self.max_retries
            ):
                raise TwizzitRateLimitError(
                    self._rate_limit_message(endpoint, retry_after, waited),
                    retry_after=retry_after,
                )
            logger.warning(
                "Twizzit rate-limited %s; waiting %g s as its Retry-After asks.",
                endpoint,
                retry_after,
            )
            time.sleep(retry_after)
            waited += retry_after
            attempt += 1

    def _send_once(self, method, endpoint, url, *, data, headers) -> requests.Response:
        self._count(endpoint)
        try:
            return self.session.request(
                method,
                url,
                data=data,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,  # never resend credentials somewhere else
            )
        except requests.Timeout as exc:
            raise TwizzitUnavailable(
                f"Twizzit did not answer {endpoint} in time "
                f"(after up to {self.max_retries} retries)."
            ) from exc
        except requests.ConnectionError as exc:
            raise TwizzitUnavailable(
                f"Twizzit at {urlsplit(self.base_url).hostname} could not be reached for "
                f"{endpoint} (after up to {self.max_retries} retries)."
            ) from exc
        except (requests.RequestException, Urllib3Error) as exc:
            # Not chained: such messages may quote the request's headers.
            raise TwizzitUnavailable(
                f"The request for {endpoint} failed ({type(exc).__name__})."
            ) from None

    def _rate_limit_message(self, endpoint: str, retry_after, waited: float) -> str:
        if retry_after is None:
            return (
                f"Twizzit rate-limited {endpoint} (429) without saying how long to wait; "
                "not retried, try again later."
            )
        return (
            f"Twizzit kept rate-limiting {endpoint} (429, Retry-After {retry_after:g} s) "
            f"after {waited:g} s of waiting; this client waits at most "
            f"{self.retry_after_cap:g} s per call."
        )

    def _count(self, endpoint: str) -> None:
        self.meter.before_request(endpoint)  # may refuse: then nothing is sent
        self.calls_made += 1

    def _count_retry(self, url: str) -> None:
        endpoint = urlsplit(url).path.rsplit(API_PREFIX, 1)[-1]
        logger.info("Retrying Twizzit %s after a failure.", endpoint)
        self._count(endpoint)

    def _retry_after(self, response: requests.Response) -> float | None:
        value = response.headers.get("Retry-After")
        if not value:
            return None
        try:
            return max(0.0, float(self._retry.parse_retry_after(value)))
        except Urllib3Error:
            return None

    def _raise_for_status(
        self, response: requests.Response, endpoint: str, *secrets: str | None
    ) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        _raise_if_monthly_limit(response, endpoint)
        reason = _error_text(response, self._token, *secrets)
        if status == 403 or (status == 400 and "no access" in reason.lower()):
            raise TwizzitPermissionError(
                f"Twizzit refused access to organisation {self.organization_id} on "
                f"{endpoint} ({status}): {reason}",
                status=status,
                organization_id=self.organization_id,
            )
        if status in RETRY_STATUSES:
            raise TwizzitUnavailable(
                f"Twizzit kept failing on {endpoint} with status {status} after "
                f"{self.max_retries} retries: {reason}",
                status=status,
            )
        raise TwizzitBadResponse(
            f"Twizzit answered {endpoint} with unexpected status {status}: {reason}",
            status=status,
        )


# --- helpers ----------------------------------------------------------------------------
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


def _canonical(record: Any) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), default=str)


def _fingerprint(page: list[dict]) -> str:
    return hashlib.sha256(_canonical(page).encode("utf-8")).hexdigest()
