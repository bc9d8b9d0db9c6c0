"""The Twizzit v2 API as the sandbox speaks it: `/v2/api/<endpoint>`.

A request goes through the same gates the real service puts in front of its data, in
this order:

1. it is counted (failed requests cost quota too) and delayed by the set latency;
2. an unknown path (or method) answers an HTML 404 page, as the real service sometimes does;
3. an injected failure or 429 for this endpoint (and page) answers instead of anything else;
4. `authenticate` takes a form-urlencoded body only; every other call needs a valid Bearer;
5. required parameters are checked (400), then `organization-ids[]` (403 for any
   organisation other than the sandbox's);
6. the records are filtered, paged with `limit`/`offset` (capped at the documented
   maxima) and sent as a bare JSON array.

Array parameters arrive as `name[]` (literal or `%5B%5D`, and PHP's `name[0]` too);
unknown parameters are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qsl

from twizzit.sandbox.state import DEFAULT_ERRORS, SandboxState
from twizzit.sandbox.store import View

NOT_FOUND_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>"
    "<body><h1>Not Found</h1><p>The requested URL was not found on this server.</p>"
    "</body></html>\n"
)
NO_ACCESS = "no access for specified organizations"


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload, headers: dict | None = None) -> Response:
        # Compact and ASCII-escaped, like PHP's json_encode.
        body = json.dumps(payload, separators=(",", ":")).encode()
        return cls(status, body, headers=dict(headers or {}))

    @classmethod
    def error(cls, status: int, message: str, headers: dict | None = None) -> Response:
        return cls.json(status, {"error": message}, headers)

    @classmethod
    def html(cls, status: int, page: str) -> Response:
        return cls(status, page.encode(), content_type="text/html; charset=UTF-8")


def not_found() -> Response:
    return Response.html(404, NOT_FOUND_PAGE)


class BadRequest(Exception):
    """A parameter is missing or malformed: 400 {"error": message}."""


class Params:
    """Query parameters, with `name[]`, `name%5B%5D` and `name[0]` all read as `name[]`."""

    def __init__(self, query: str):
        self.raw: dict[str, list[str]] = {}
        for key, value in parse_qsl(query, keep_blank_values=True):
            if key.endswith("]") and "[" in key:
                key = key[: key.index("[")] + "[]"
            self.raw.setdefault(key, []).append(value)

    def ints(self, name: str) -> list[int] | None:
        values = self.raw.get(f"{name}[]")
        if values is None:
            return None
        try:
            return [int(value) for value in values]
        except ValueError:
            raise BadRequest(f"{name}[] must be a list of integers") from None

    def int(self, name: str) -> int | None:
        values = self.raw.get(name)
        if not values or values[-1] == "":
            return None
        try:
            return int(values[-1])
        except ValueError:
            raise BadRequest(f"{name} must be an integer") from None

    def bool(self, name: str) -> bool | None:
        values = self.raw.get(name)
        if not values or values[-1] == "":
            return None
        value = values[-1].lower()
        if value in ("true", "1"):
            return True
        if value in ("false", "0"):
            return False
        raise BadRequest(f"{name} must be true or false")

    def date(self, name: str) -> str | None:
        values = self.raw.get(name)
        if not values or values[-1] == "":
            return None
        try:
            return date.fromisoformat(values[-1]).isoformat()
        except ValueError:
            raise BadRequest(f"{name} must be a date (YYYY-MM-DD)") from None

    def require(self, name: str) -> list[int]:
        values = self.ints(name)
        if not values:
            raise BadRequest(f"{name}[] is required")
        return values

    def offset_hint(self) -> int:
        """The page asked for, for matching injected failures; lenient by design."""
        try:
            return int(self.raw.get("offset", ["0"])[-1] or 0)
        except ValueError:
            return 0


# --- endpoints: each returns the full (filtered) list; paging is applied afterwards ------
def organizations(view: View, params: Params) -> Sequence[dict]:
    return view.data.organizations


def seasons(view: View, params: Params) -> Sequence[dict]:
    rows = view.data.seasons
    wanted, current = params.ints("season-ids"), params.bool("is-current-season")
    if wanted is not None:
        rows = [row for row in rows if row["id"] in wanted]
    if current is not None:
        rows = [row for row in rows if row["active"] is current]
    return rows


def groups(view: View, params: Params) -> Sequence[dict]:
    rows = view.groups
    group_ids = params.ints("group-ids")
    season_id, group_type = params.int("season-id"), params.int("group-type")
    category_ids = params.ints("group-category-ids")
    series_ids, club_ids = params.ints("series-ids"), params.ints("club-ids")
    if group_ids is not None:
        wanted = set(group_ids)
        rows = [row for row in rows if row["id"] in wanted]
    if season_id is not None:
        rows = [row for row in rows if view.group_seasons.get(row["id"]) == season_id]
    if group_type is not None:
        of_type = {
            category["id"]
            for category in view.data.group_categories
            if category["group-type"]["id"] == group_type
        }
        rows = [row for row in rows if row["category"] in of_type]
    if category_ids is not None:
        rows = [row for row in rows if row["category"] in category_ids]
    if series_ids is not None:
        rows = [row for row in rows if set(row["series"]) & set(series_ids)]
    if club_ids is not None:
        rows = [row for row in rows if row["club"] in club_ids]
    return rows


def group_types(view: View, params: Params) -> Sequence[dict]:
    return view.data.group_types


def group_categories(view: View, params: Params) -> Sequence[dict]:
    rows = view.data.group_categories
    wanted, group_type = params.ints("group-category-ids"), params.int("group-type")
    if wanted is not None:
        rows = [row for row in rows if row["id"] in wanted]
    if group_type is not None:
        rows = [row for row in rows if row["group-type"]["id"] == group_type]
    return rows


def contacts(view: View, params: Params) -> Sequence[dict]:
    rows = view.contacts
    contact_ids = params.ints("contact-ids")
    type_ids, season_ids = params.ints("membership-type-ids"), params.ints("membership-season-ids")
    current = params.bool("current-membership")
    if contact_ids is not None:
        wanted = set(contact_ids)
        rows = [row for row in rows if row["id"] in wanted]
    if type_ids is not None or season_ids is not None:

        def holds(contact: dict) -> bool:
            return any(
                (type_ids is None or m["membership-type-id"] in type_ids)
                and (season_ids is None or m["season-id"] in season_ids)
                for m in view.memberships_by_contact.get(contact["id"], ())
            )

        rows = [row for row in rows if holds(row)]
    if current is not None:
        rows = [row for row in rows if (row["id"] in view.current_members) is current]
    return rows


def group_contacts(view: View, params: Params) -> Sequence[dict]:
    rows: list[dict] = []
    for group_id in dict.fromkeys(params.require("group-ids")):
        rows.extend(view.links_by_group.get(group_id, ()))
    return rows


def contact_functions(view: View, params: Params) -> Sequence[dict]:
    rows = view.data.contact_functions
    wanted, kind = params.ints("contact-function-ids"), params.int("contact-function-type")
    if wanted is not None:
        rows = [row for row in rows if row["id"] in wanted]
    if kind is not None:
        rows = [row for row in rows if row["type"] == kind]
    return rows


def memberships(view: View, params: Params) -> Sequence[dict]:
    return view.memberships


def membership_types(view: View, params: Params) -> Sequence[dict]:
    return view.data.membership_types


def events(view: View, params: Params) -> Sequence[dict]:
    rows = view.data.events
    start, end = params.date("start-date"), params.date("end-date")
    if start is not None:
        rows = [row for row in rows if row["start"][:10] >= start]
    if end is not None:
        rows = [row for row in rows if row["start"][:10] <= end]
    return rows


def event_types(view: View, params: Params) -> Sequence[dict]:
    return view.data.event_types


def event_sub_types(view: View, params: Params) -> Sequence[dict]:
    rows = view.data.event_sub_types
    wanted = params.ints("event-sub-type-ids")
    if wanted is not None:
        rows = [row for row in rows if row["id"] in wanted]
    return rows


@dataclass(frozen=True)
class Endpoint:
    list_rows: Callable[[View, Params], Sequence[dict]]
    # (default limit, maximum limit) for paged endpoints; a default of None = every row.
    paging: tuple[int | None, int] | None = None
    needs_organization: bool = True


ENDPOINTS: dict[str, Endpoint] = {
    "organizations": Endpoint(organizations, needs_organization=False),
    "seasons": Endpoint(seasons),
    "groups": Endpoint(groups, paging=(10, 250)),
    "group-types": Endpoint(group_types),
    "group-categories": Endpoint(group_categories),
    "contacts": Endpoint(contacts, paging=(50, 100)),
    # Paging is undocumented here; the sandbox honours limit/offset when given.
    "group-contacts": Endpoint(group_contacts, paging=(None, 250)),
    "contact-functions": Endpoint(contact_functions),
    "memberships": Endpoint(memberships, paging=(50, 100)),
    "membership-types": Endpoint(membership_types),
    "events": Endpoint(events, paging=(50, 100)),
    "event-types": Endpoint(event_types),
    "event-sub-types": Endpoint(event_sub_types),
}


# --- the request pipeline ------------------------------------------------------------------
def handle(
    state: SandboxState, method: str, endpoint: str, query: str, headers, body: bytes
) -> Response:
    """Answer one request to /v2/api/<endpoint> and record it."""
    params = Params(query)
    state.count_call(endpoint)
    response = _answer(state, method, endpoint, params, headers, body)
    state.log_request(method, endpoint, params.raw, response.status)
    return response


def _answer(state, method, endpoint, params: Params, headers, body: bytes) -> Response:
    if endpoint == "authenticate":
        if method != "POST":
            return not_found()
    elif method != "GET" or endpoint not in ENDPOINTS:
        return not_found()
    fault = state.take_fault(endpoint, params.offset_hint())
    if fault is not None:
        if fault.body is not None:
            return Response(
                fault.status, fault.body.encode(), "text/html; charset=UTF-8", fault.headers
            )
        message = fault.error or DEFAULT_ERRORS.get(fault.status, "Sandbox failure")
        return Response.error(fault.status, message, fault.headers)
    if endpoint == "authenticate":
        return authenticate(state, headers, body)
    problem = _token_problem(state, headers)
    if problem:
        return Response.error(401, problem)
    spec = ENDPOINTS[endpoint]
    try:
        if spec.needs_organization:
            organization_ids = params.require("organization-ids")
            if any(org != state.organization_id for org in organization_ids):
                return Response.error(403, NO_ACCESS)
        rows = spec.list_rows(state.view(), params)
        if spec.paging is not None:
            rows = _page(state, endpoint, spec.paging, params, rows)
    except BadRequest as exc:
        return Response.error(400, str(exc))
    return Response.json(200, list(rows))


def authenticate(state: SandboxState, headers, body: bytes) -> Response:
    """Form-urlencoded only: a JSON body finds no username, hence "User unavailable"."""
    content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    form = {}
    if content_type == "application/x-www-form-urlencoded":
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    username, password = form.get("username", ""), form.get("password", "")
    if not username or username != state.username:
        return Response.error(401, "User unavailable")
    if not state.check_credentials(username, password):
        return Response.error(401, "Invalid credentials")
    return Response.json(200, state.issue_token())


def _token_problem(state: SandboxState, headers) -> str | None:
    scheme, _, token = (headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return "Missing bearer token"
    return state.token_problem(token.strip())


def _page(state, endpoint: str, paging, params: Params, rows: Sequence[dict]) -> Sequence[dict]:
    default_limit, max_limit = paging
    limit, offset = params.int("limit"), params.int("offset") or 0
    if limit is not None and limit < 1:
        raise BadRequest("limit must be a positive integer")
    if offset < 0:
        raise BadRequest("offset cannot be negative")
    ignore_offset, ignore_limit = state.ignored_paging(endpoint)
    if ignore_offset:
        offset = 0
    if ignore_limit:
        limit = None
    elif limit is None:
        limit = default_limit
    else:
        limit = min(limit, max_limit)
    if limit is None:
        return rows[offset:]
    return rows[offset : offset + limit]
