"""The sandbox's state and controls, safe to use from many threads at once.

`SandboxState` is the record store (`store.RecordStore`: what the fake Twizzit knows)
plus how it behaves: the tokens it issued and its clock, the failures and 429s a test
asked for, latency, and the calls it received. The HTTP handler threads and the test's
own thread share one instance; every public method takes the lock.

Injected failures are a queue of `Fault`s: each answers the next N requests that match
its endpoint (and page offset) and is dropped once used up, so "fail twice, then
succeed" is simply `fail(endpoint, times=2)`.
"""

from __future__ import annotations

import json
import secrets
import time
from base64 import urlsafe_b64encode
from collections import Counter, deque
from dataclasses import dataclass, field

from twizzit.sandbox.store import RecordStore, json_copy

# Every path the sandbox answers under /v2/api/, so `calls()` can show zeros.
ENDPOINTS = (
    "authenticate",
    "organizations",
    "seasons",
    "groups",
    "group-types",
    "group-categories",
    "contacts",
    "group-contacts",
    "contact-functions",
    "memberships",
    "membership-types",
    "events",
    "event-types",
    "event-sub-types",
)
USERNAME = "sandbox-api"
PASSWORD = "sandbox-Pa55-korf!"  # noqa: S105 (the sandbox's published test credential)
REQUEST_LOG_SIZE = 10_000
TOO_MANY_REQUESTS = "Too Many Requests"
MONTHLY_LIMIT = "Monthly limit exceeded"
DEFAULT_ERRORS = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    429: TOO_MANY_REQUESTS,
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}


@dataclass
class Fault:
    """An injected answer for the next `remaining` matching requests."""

    status: int
    remaining: int
    endpoint: str | None = None  # None: any endpoint
    offset: int | None = None  # None: any page
    error: str | None = None  # JSON body {"error": ...}
    body: str | None = None  # or this raw (e.g. HTML) body instead
    headers: dict[str, str] = field(default_factory=dict)

    def matches(self, endpoint: str, offset: int) -> bool:
        return (self.endpoint is None or self.endpoint == endpoint) and (
            self.offset is None or self.offset == offset
        )


class SandboxState(RecordStore):
    """What the sandbox knows and how it behaves; every method is thread-safe."""

    def __init__(
        self,
        *,
        seed: int = 1,
        contacts: int = 300,
        groups: int = 24,
        messy: bool = False,
        token_ttl: int = 1800,
        username: str = USERNAME,
        password: str = PASSWORD,
    ):
        super().__init__(seed=seed, contacts=contacts, groups=groups, messy=messy)
        self.token_ttl = token_ttl
        self.username, self.password = username, password
        self._clear_behaviour()

    def __repr__(self):
        size = self.size
        return (
            f"<SandboxState seed={self.seed} contacts={size['contacts']} groups={size['groups']}>"
        )

    def _clear_behaviour(self) -> None:
        self._tokens: dict[str, int] = {}  # token -> valid-till (unix s)
        self._faults: list[Fault] = []
        self._ignored_paging: dict[str, tuple[bool, bool]] = {}  # endpoint -> (offset, limit)
        self._latency_ms = 0
        self._clock_offset = 0
        self._calls: Counter[str] = Counter()
        self._requests: deque[dict] = deque(maxlen=REQUEST_LOG_SIZE)

    # --- failures, paging, latency -------------------------------------------------------
    def fail(
        self,
        endpoint: str,
        status: int = 500,
        times: int = 1,
        offset: int | None = None,
        *,
        error: str | None = None,
        body: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """The next `times` requests to `endpoint` (at `offset`, if given) answer `status`."""
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; use one of: {', '.join(ENDPOINTS)}")
        self._add_fault(
            Fault(
                status=_status(status),
                remaining=_times(times),
                endpoint=endpoint,
                offset=None if offset is None else int(offset),
                error=error,
                body=body,
                headers=_retry_after(retry_after),
            )
        )

    def rate_limit(
        self,
        times: int = 1,
        retry_after: int | None = None,
        monthly: bool = False,
        endpoint: str | None = None,
    ) -> None:
        """The next `times` requests (to any endpoint, or `endpoint`) answer 429."""
        if endpoint is not None and endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}")
        self._add_fault(
            Fault(
                status=429,
                remaining=_times(times),
                endpoint=endpoint,
                error=MONTHLY_LIMIT if monthly else TOO_MANY_REQUESTS,
                headers=_retry_after(retry_after),
            )
        )

    def _add_fault(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def take_fault(self, endpoint: str, offset: int) -> Fault | None:
        """The injected answer for this request, if any (and count it as used)."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(endpoint, offset):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
            return None

    def pending_faults(self) -> list[dict]:
        with self._lock:
            return [
                {
                    "endpoint": f.endpoint,
                    "offset": f.offset,
                    "status": f.status,
                    "remaining": f.remaining,
                }
                for f in self._faults
            ]

    def ignore_paging(self, endpoint: str, *, offset: bool = True, limit: bool = False) -> None:
        """Make `endpoint` ignore `offset` (and/or `limit`), like a server that repeats pages."""
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}")
        with self._lock:
            self._ignored_paging[endpoint] = (bool(offset), bool(limit))

    def ignored_paging(self, endpoint: str) -> tuple[bool, bool]:
        with self._lock:
            return self._ignored_paging.get(endpoint, (False, False))

    def set_latency(self, ms: int) -> None:
        if int(ms) < 0:
            raise ValueError("latency cannot be negative")
        with self._lock:
            self._latency_ms = int(ms)

    @property
    def latency_ms(self) -> int:
        with self._lock:
            return self._latency_ms

    # --- time and tokens ----------------------------------------------------------------
    def now(self) -> int:
        with self._lock:
            return int(time.time()) + self._clock_offset

    def advance_clock(self, seconds: int) -> int:
        """Move the sandbox's clock forward (tokens age without a test sleeping)."""
        with self._lock:
            self._clock_offset += int(seconds)
            return self.now()

    def issue_token(self) -> dict:
        """A JWT-looking token; like the real one, its `exp` claim says 24 h."""
        with self._lock:
            created = self.now()
            claims = {"sub": self.username, "iat": created, "exp": created + 86_400}
            token = ".".join(
                (
                    _b64({"typ": "JWT", "alg": "HS256"}),
                    _b64({**claims, "jti": secrets.token_hex(8)}),
                    secrets.token_urlsafe(32),
                )
            )
            self._tokens[token] = created + self.token_ttl
            return {"token": token, "created-on": created, "valid-till": created + self.token_ttl}

    def token_problem(self, token: str) -> str | None:
        """Why this token is refused, or None when it is valid now."""
        with self._lock:
            valid_till = self._tokens.get(token)
            if valid_till is None:
                return "Invalid token"
            if self.now() >= valid_till:
                return "Expired token"
            return None

    def expire_tokens(self) -> None:
        with self._lock:
            expired = self.now() - 1
            self._tokens = dict.fromkeys(self._tokens, expired)

    def check_credentials(self, username: str, password: str) -> bool:
        return secrets.compare_digest(username.encode(), self.username.encode()) and (
            secrets.compare_digest(password.encode(), self.password.encode())
        )

    # --- counting ----------------------------------------------------------------------
    def count_call(self, endpoint: str) -> None:
        with self._lock:
            self._calls[endpoint] += 1

    def log_request(self, method: str, endpoint: str, params: dict, status: int) -> None:
        with self._lock:
            self._requests.append(
                {"method": method, "endpoint": endpoint, "params": params, "status": status}
            )

    def calls(self) -> dict[str, int]:
        """Requests received per endpoint, failed ones included; zeros shown."""
        with self._lock:
            return {**dict.fromkeys(ENDPOINTS, 0), **self._calls}

    def requests(self, endpoint: str | None = None) -> list[dict]:
        """The latest requests (method, endpoint, query parameters, status), oldest first."""
        with self._lock:
            return [
                json_copy(entry)
                for entry in self._requests
                if endpoint is None or entry["endpoint"] == endpoint
            ]

    def reset(self) -> None:
        """Back to the generated data; no faults, latency, tokens or counted calls."""
        with self._lock:
            self.restore()
            self._clear_behaviour()

    def heal(self) -> None:
        """Twizzit behaves again: no pending failures, 429s, latency or ignored paging.

        Unlike `reset`, the data and its edits stay (as do tokens, the clock and the
        counters), so a demo can end an outage without undoing its earlier steps.
        """
        with self._lock:
            self._faults = []
            self._ignored_paging = {}
            self._latency_ms = 0


def _status(status) -> int:
    status = int(status)
    if not 100 <= status <= 599:
        raise ValueError(f"{status} is not an HTTP status")
    return status


def _times(times) -> int:
    times = int(times)
    if times < 1:
        raise ValueError("times must be at least 1")
    return times


def _retry_after(retry_after) -> dict[str, str]:
    return {} if retry_after is None else {"Retry-After": str(int(retry_after))}


def _b64(value: dict) -> str:
    return urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")
