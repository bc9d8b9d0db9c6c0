"""The sandbox's remote control: JSON routes under `/_sandbox/`.

Each route calls the `SandboxState` method of the same name, so a test in another
process (or a person with curl) can do what an in-process test does with
`server.state`. Bodies are JSON objects whose keys are the method's arguments
(`{"endpoint": "contacts", "status": 500, "times": 2, "offset": 100}`); record fields
use the API's own kebab-case names. Control requests are not counted as API calls.

    GET    /_sandbox/                         what is here
    GET    /_sandbox/calls                    {"authenticate": n, "contacts": n, ...}
    GET    /_sandbox/requests[?endpoint=...]  the latest API requests
    GET    /_sandbox/faults                   injected failures still pending
    POST   /_sandbox/reset | /expire-tokens
    POST   /_sandbox/heal                     failures and latency off, data edits kept
    POST   /_sandbox/fail | /rate-limit | /latency | /clock | /ignore-paging
    GET    /_sandbox/contacts[/<id>]          POST adds, PATCH edits, DELETE removes
    GET    /_sandbox/groups[/<id>]            likewise
    GET    /_sandbox/events[/<id>]            likewise (PATCH may add keys, e.g. "cancelled")
    GET    /_sandbox/group-contacts           POST adds a roster line
    DELETE /_sandbox/group-contacts/<group id>/<contact id>[/<function id>]
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from twizzit.sandbox.api import Response
from twizzit.sandbox.state import SandboxState

ROUTES = [
    "GET /_sandbox/calls",
    "GET /_sandbox/requests",
    "GET /_sandbox/faults",
    "POST /_sandbox/reset (also undoes every data edit)",
    "POST /_sandbox/heal (failures, 429s, latency, ignored paging off; data edits kept)",
    "POST /_sandbox/expire-tokens",
    'POST /_sandbox/fail {"endpoint", "status", "times", "offset", "error", "body", "retry_after"}',
    'POST /_sandbox/rate-limit {"times", "retry_after", "monthly", "endpoint"}',
    'POST /_sandbox/latency {"ms"}',
    'POST /_sandbox/clock {"advance"}',
    'POST /_sandbox/ignore-paging {"endpoint", "offset", "limit"}',
    "GET|POST /_sandbox/contacts, GET|PATCH|DELETE /_sandbox/contacts/<id>",
    "GET|POST /_sandbox/groups, GET|PATCH|DELETE /_sandbox/groups/<id>",
    "GET|POST /_sandbox/events, GET|PATCH|DELETE /_sandbox/events/<id>",
    'GET|POST /_sandbox/group-contacts {"group_id", "contact_id", "function_id"}',
    "DELETE /_sandbox/group-contacts/<group id>/<contact id>[/<function id>]",
]

RESET_NOTE = (
    "Back to the generated data: every contact, group and roster edit made through the "
    "controls is undone, and the next sync will undo it in ShotSpot too. "
    "POST /_sandbox/heal ends failures and latency but keeps the edits."
)


class ControlError(Exception):
    """The request cannot be carried out: 400 with the reason."""


def handle(state: SandboxState, method: str, path: str, query: str, body: bytes) -> Response:
    parts = [part for part in path.split("/") if part][1:]  # drop "_sandbox"
    try:
        payload = _json_body(body)
        return _route(state, method, parts, query, payload)
    except (ControlError, ValueError, TypeError) as exc:
        return Response.error(400, str(exc))
    except KeyError as exc:
        return Response.error(404, exc.args[0] if exc.args else "not found")


def _json_body(body: bytes) -> dict:
    if not body.strip():
        return {}
    try:
        payload = json.loads(body)
    except ValueError:
        raise ControlError("the body must be a JSON object") from None
    if not isinstance(payload, dict):
        raise ControlError("the body must be a JSON object")
    return payload


def _snake(payload: dict) -> dict:
    return {key.replace("-", "_"): value for key, value in payload.items()}


def _route(state: SandboxState, method: str, parts: list[str], query: str, payload: dict):
    ok = Response.json(200, {"ok": True})
    match method, parts:
        case "GET", []:
            return Response.json(200, {"controls": ROUTES})
        case "GET", ["calls"]:
            return Response.json(200, state.calls())
        case "GET", ["requests"]:
            endpoint = parse_qs(query).get("endpoint", [None])[0]
            return Response.json(200, state.requests(endpoint))
        case "GET", ["faults"]:
            return Response.json(200, state.pending_faults())
        case "POST", ["reset"]:
            state.reset()
            # Say it: a person who edited records in an earlier step loses those edits,
            # and the next sync will take them back out of ShotSpot.
            return Response.json(200, {"ok": True, "note": RESET_NOTE})
        case "POST", ["heal"]:
            state.heal()
            return ok
        case "POST", ["expire-tokens"]:
            state.expire_tokens()
            return ok
        case "POST", ["fail"]:
            _needs(payload, "endpoint")
            state.fail(**_snake(payload))
            return ok
        case "POST", ["rate-limit"]:
            state.rate_limit(**_snake(payload))
            return ok
        case "POST", ["latency"]:
            _needs(payload, "ms")
            state.set_latency(payload["ms"])
            return ok
        case "POST", ["clock"]:
            _needs(payload, "advance")
            return Response.json(200, {"now": state.advance_clock(payload["advance"])})
        case "POST", ["ignore-paging"]:
            _needs(payload, "endpoint")
            state.ignore_paging(**_snake(payload))
            return ok
        case _, ["contacts" | "groups" | "events" as kind, *rest]:
            return _records(state, method, kind, rest, payload)
        case "GET", ["group-contacts"]:
            return Response.json(200, state.group_contacts)
        case "POST", ["group-contacts"]:
            _needs(payload, "group_id", "contact_id")
            return Response.json(201, state.add_group_contact(**_snake(payload)))
        case "DELETE", ["group-contacts", group_id, contact_id, *function]:
            function_id = int(function[0]) if function else None
            removed = state.remove_group_contact(int(group_id), int(contact_id), function_id)
            return Response.json(200, {"removed": removed})
    return Response.error(404, f"no sandbox control {method} /_sandbox/{'/'.join(parts)}")


def _records(state: SandboxState, method: str, kind: str, rest: list[str], payload: dict):
    singular = kind[:-1]  # contact, group, event
    match method, rest:
        case "GET", []:
            return Response.json(200, getattr(state, kind))
        case "POST", []:
            if kind == "contacts" and "current-membership" in payload:
                payload = dict(payload)
                payload["current_membership"] = payload.pop("current-membership")
            return Response.json(201, getattr(state, f"add_{singular}")(**payload))
        case "GET", [record_id]:
            return Response.json(200, getattr(state, singular)(_id(record_id)))
        case "PATCH", [record_id]:
            return Response.json(
                200, getattr(state, f"update_{singular}")(_id(record_id), **payload)
            )
        case "DELETE", [record_id]:
            getattr(state, f"remove_{singular}")(_id(record_id))
            return Response.json(200, {"removed": _id(record_id)})
    return Response.error(404, f"no sandbox control {method} /_sandbox/{kind}/{'/'.join(rest)}")


def _id(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ControlError(f"{raw!r} is not an id") from None


def _needs(payload: dict, *names: str) -> None:
    missing = [name for name in names if name not in _snake(payload)]
    if missing:
        raise ControlError(f"missing {', '.join(missing)} in the JSON body")
