"""Who may do what: every endpoint for each kind of caller, from one table (endpoints.py).

Anonymous callers get 401 and plain users 403 everywhere except the schema and its docs
page; coaches read, sync, test saved connections and cancel, but change nothing else;
admins do everything (each with the success status of that endpoint).
"""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import client_for
from tests.api.endpoints import ENDPOINTS, ROLES, World

CASES = [
    pytest.param(endpoint, role, status, id=f"{endpoint} as {role}")
    for endpoint in ENDPOINTS
    for role, status in zip(ROLES, endpoint.statuses, strict=True)
]
CSRF_SECRET = "k" * 32


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
            "admin": lambda: make_user("ada-admin", "twizzit-admin", staff=True),
            # Staff only opens the Django admin; in the API it grants nothing.
            "staff": lambda: make_user("stan-staff", staff=True),
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


STAFF_CASES = [
    pytest.param(endpoint, status, id=f"{endpoint} as staff")
    for endpoint in ENDPOINTS
    for role, status in zip(ROLES, endpoint.statuses, strict=True)
    if role == "plain"
]


@pytest.mark.parametrize(("endpoint", "expected"), STAFF_CASES)
def test_staff_without_a_twizzit_role_may_do_in_the_api_what_a_plain_user_may(
    world, caller, endpoint, expected
):
    client = caller("staff")
    body = getattr(world, endpoint.body)() if endpoint.body else None
    path = endpoint.path.format(**world.ids())
    response = client.generic(
        endpoint.method,
        path,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
    )
    assert response.status_code == expected, response.content[:500]


def test_a_superuser_is_a_twizzit_admin_without_any_group(world, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", "boss@example.com", "x")
    response = client_for(boss).patch(
        f"/api/twizzit/connections/{world.config.pk}/", {"sync_enabled": False}
    )
    assert response.status_code == 200


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
