"""Who may do what: every endpoint for each of (anonymous, plain user, coach, admin), in one table.

Anonymous callers get 401 and plain users 403 everywhere except the schema and its docs
page; coaches read, sync, test saved connections and cancel, but change nothing else;
admins do everything (each with the success status of that endpoint).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import client_for
from tests.api.data import (
    email_mismatch,
    player,
    sync_log,
    synced_player,
    synced_season,
    synced_team,
)
from tests.sandbox import connect
from twizzit.models import SyncStatus

pytest_plugins = ["tests.sandbox"]

ROLES = ("anonymous", "plain", "coach", "admin")
CSRF_SECRET = "k" * 32


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # formatted with World.ids()
    statuses: tuple[int, int, int, int]  # in the order of ROLES
    body: str | None = None  # the name of a World method that makes the body

    def __str__(self):
        return f"{self.method} {self.path}"


EVERYONE_READS = (200, 200, 200, 200)
STAFF_READS = (401, 403, 200, 200)
ADMINS_ONLY = (401, 403, 403)

ENDPOINTS = [
    Endpoint("GET", "/api/twizzit/connections/", STAFF_READS),
    Endpoint("POST", "/api/twizzit/connections/", (*ADMINS_ONLY, 201), "new_connection"),
    Endpoint("GET", "/api/twizzit/connections/{config}/", STAFF_READS),
    Endpoint("PUT", "/api/twizzit/connections/{config}/", (*ADMINS_ONLY, 200), "full_settings"),
    Endpoint("PATCH", "/api/twizzit/connections/{config}/", (*ADMINS_ONLY, 200), "disable"),
    Endpoint("DELETE", "/api/twizzit/connections/{config}/", (*ADMINS_ONLY, 200)),
    Endpoint("POST", "/api/twizzit/connections/test/", (*ADMINS_ONLY, 200), "credentials"),
    Endpoint("POST", "/api/twizzit/connections/{config}/test/", STAFF_READS),
    Endpoint("POST", "/api/twizzit/connections/{config}/sync/", (401, 403, 202, 202), "sync"),
    Endpoint("GET", "/api/twizzit/connections/{config}/status/", STAFF_READS),
    Endpoint("GET", "/api/twizzit/sync-logs/", STAFF_READS),
    Endpoint("GET", "/api/twizzit/sync-logs/{finished_log}/", STAFF_READS),
    Endpoint("POST", "/api/twizzit/sync-logs/{pending_log}/cancel/", STAFF_READS),
    Endpoint("GET", "/api/twizzit/conflicts/", STAFF_READS),
    Endpoint("GET", "/api/twizzit/conflicts/{conflict}/", STAFF_READS),
    Endpoint("POST", "/api/twizzit/conflicts/{conflict}/resolve/", (*ADMINS_ONLY, 200), "resolve"),
    Endpoint("POST", "/api/twizzit/conflicts/resolve/", (*ADMINS_ONLY, 202), "resolve_many"),
    Endpoint("GET", "/api/twizzit/player-mappings/", STAFF_READS),
    Endpoint("GET", "/api/twizzit/player-mappings/{player_mapping}/", STAFF_READS),
    Endpoint(
        "PATCH",
        "/api/twizzit/player-mappings/{player_mapping}/",
        (*ADMINS_ONLY, 200),
        "relink_player",
    ),
    Endpoint("GET", "/api/twizzit/team-mappings/", STAFF_READS),
    Endpoint("GET", "/api/twizzit/team-mappings/{team_mapping}/", STAFF_READS),
    Endpoint(
        "PATCH", "/api/twizzit/team-mappings/{team_mapping}/", (*ADMINS_ONLY, 200), "relink_team"
    ),
    Endpoint("GET", "/api/players/", STAFF_READS),
    Endpoint("GET", "/api/players/{player}/", STAFF_READS),
    Endpoint("GET", "/api/teams/", STAFF_READS),
    Endpoint("GET", "/api/teams/{team}/", STAFF_READS),
    Endpoint("GET", "/api/seasons/", STAFF_READS),
    Endpoint("GET", "/api/seasons/{season}/", STAFF_READS),
    Endpoint("GET", "/api/schema/", EVERYONE_READS),
    Endpoint("GET", "/api/docs/", EVERYONE_READS),
]

CASES = [
    pytest.param(endpoint, role, status, id=f"{endpoint} as {role}")
    for endpoint in ENDPOINTS
    for role, status in zip(ROLES, endpoint.statuses, strict=True)
]


class World:
    """One of everything the endpoints act on; the connection points at the sandbox."""

    def __init__(self, sandbox, config):
        self.sandbox = sandbox
        self.config = config
        other = connect(sandbox, organization_id=2002, organization_name="KC Elders")
        self.pending_log = sync_log(other, status=SyncStatus.PENDING)
        self.finished_log = sync_log(config, errors=[])
        self.player, self.player_mapping = synced_player(config, 5001)
        self.team, self.team_mapping = synced_team(config, 6001)
        self.season = synced_season(config, 7001)
        self.conflict = email_mismatch(config, self.player_mapping)
        self.spare_player = player("Nina", "Claes")
        self.spare_team = synced_team(other, 6002, name="Kern 2")[0]
        self.spare_team.twizzit_mappings.all().delete()

    def ids(self) -> dict[str, int]:
        return {
            name: getattr(self, name).pk
            for name in (
                "config",
                "pending_log",
                "finished_log",
                "player",
                "player_mapping",
                "team",
                "team_mapping",
                "season",
                "conflict",
            )
        }

    def new_connection(self):
        return {
            "organization_id": 3003,
            "organization_name": "KC Newcomers",
            "api_base_url": "https://app.twizzit.com",
            "api_username": "newcomer-api",
            "api_password": "new-secret",
        }

    def full_settings(self):
        return {
            "organization_id": self.config.organization_id,
            "organization_name": "KBKB Sandbox Club (renamed)",
            "api_base_url": self.sandbox.url,
            "api_username": self.sandbox.username,
            "auto_sync_frequency": "weekly",
        }

    def disable(self):
        return {"sync_enabled": False}

    def credentials(self):
        return {
            "organization_id": self.sandbox.organization_id,
            "api_base_url": self.sandbox.url,
            "api_username": self.sandbox.username,
            "api_password": self.sandbox.password,
        }

    def sync(self):
        return {"type": "players", "dry_run": True}

    def resolve(self):
        return {"resolution": "twizzit_wins"}

    def resolve_many(self):
        return {"ids": [self.conflict.pk], "resolution": "ignored"}

    def relink_player(self):
        return {"player": self.spare_player.pk}

    def relink_team(self):
        return {"team": self.spare_team.pk}


@pytest.fixture
def world(sandbox, sandbox_config):
    return World(sandbox, sandbox_config)


@pytest.fixture
def caller(request, make_user):
    def as_role(role: str) -> APIClient:
        if role == "anonymous":
            return client_for(None)
        users = {
            "plain": lambda: make_user("pim-plain"),
            "coach": lambda: make_user("cora-coach", "coach"),
            "admin": lambda: make_user("ada-admin", staff=True),
        }
        return client_for(users[role]())

    return as_role


@pytest.mark.parametrize(("endpoint", "role", "expected"), CASES)
def test_permission_matrix(world, caller, endpoint, role, expected):
    client = caller(role)
    body = getattr(world, endpoint.body)() if endpoint.body else None
    path = endpoint.path.format(**world.ids())
    response = client.generic(
        endpoint.method,
        path,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
    )
    assert response.status_code == expected, response.content[:500]
    if expected in (401, 403) and "/api/schema/" not in path:
        assert response.json()["code"] in {"not_authenticated", "permission_denied"}


def test_members_of_the_twizzit_admin_group_are_admins_without_being_staff(world, group_admin):
    response = client_for(group_admin).patch(
        f"/api/twizzit/connections/{world.config.pk}/", {"sync_enabled": False}
    )
    assert response.status_code == 200
    assert response.json()["sync_enabled"] is False


def test_a_request_without_credentials_is_told_how_to_authenticate(db):
    response = client_for(None).get("/api/twizzit/connections/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_wrong_token_is_refused_with_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/twizzit/connections/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token.", "code": "authentication_failed"}


def test_a_coach_is_told_why_an_admin_action_is_refused(world, coach):
    response = client_for(coach).delete(f"/api/twizzit/connections/{world.config.pk}/")
    assert response.status_code == 403
    assert "Only Twizzit admins" in response.json()["detail"]
    assert world.config.__class__.objects.filter(pk=world.config.pk).exists()


def test_a_session_write_without_the_csrf_token_is_refused(world, admin):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(admin)
    response = browser.patch(
        f"/api/twizzit/connections/{world.config.pk}/", {"sync_enabled": False}, format="json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    world.config.refresh_from_db()
    assert world.config.sync_enabled is True


def test_a_session_write_with_the_csrf_token_goes_through(world, admin):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(admin)
    browser.cookies["csrftoken"] = CSRF_SECRET  # as a page of the site would have set it
    response = browser.patch(
        f"/api/twizzit/connections/{world.config.pk}/",
        {"sync_enabled": False},
        format="json",
        HTTP_X_CSRFTOKEN=CSRF_SECRET,
    )
    assert response.status_code == 200
    world.config.refresh_from_db()
    assert world.config.sync_enabled is False


def test_a_session_read_needs_no_csrf_token(world, admin):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(admin)
    assert browser.get("/api/twizzit/connections/").status_code == 200
