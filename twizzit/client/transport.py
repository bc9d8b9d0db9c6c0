"""One Twizzit connection over one requests.Session: login and token reuse, retries,
the quota meter before every request, and failures turned into `TwizzitError`s.

The endpoints and paging are `api.py`'s (`TwizzitClient` extends `Transport`).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.util.retry import Retry

from twizzit.client.errors import (
    TwizzitAuthError,
    TwizzitBadResponse,
    TwizzitPermissionError,
    TwizzitRateLimitError,
    TwizzitUnavailable,
)
from twizzit.client.stores import MemoryTokenStore, NullMeter, TokenStore, UsageMeter
from twizzit.client.wire import (
    API_PREFIX,
    RETRY_STATUSES,
    USER_AGENT,
    _checked_base_url,
    _error_text,
    _json_body,
    _parse_login,
    _query,
    _raise_if_monthly_limit,
    _still_valid,
)

logger = logging.getLogger("twizzit.client")


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


# --- the connection ---------------------------------------------------------------------
class Transport:
    """Login, token reuse, retries, the quota meter and errors; no endpoint of its own.

    Not thread-safe: give each thread or task its own client (they can share a store).
    """

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
