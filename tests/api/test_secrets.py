"""No response of the API ever contains the Twizzit password or token, sealed or not.

A session of an admin and of a coach touches every endpoint of the table (endpoints.py),
plus the failures most likely to echo input (invalid credentials, a refused create), with
a connection whose password and cached token are known. Every response body and header
is searched for each secret.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.api.conftest import client_for
from tests.api.endpoints import ENDPOINTS, World
from twizzit.models import TwizzitConfig

CACHED_TOKEN = "cached-twizzit-token-0123456789abcdef"
TYPED_PASSWORD = "Typed-In-Pa55word!"


def everything_said(response) -> str:
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    return headers + "\n" + response.content.decode()


def secrets_of(config: TwizzitConfig) -> set[str]:
    """The sealed values as stored, and the token as it opens now."""
    config.refresh_from_db()
    found = {config.api_password_encrypted}
    if config.api_token_encrypted:
        found |= {config.api_token_encrypted, config.get_token()}
    return found


@pytest.fixture
def secret_world(sandbox, sandbox_config):
    sandbox_config.set_token(CACHED_TOKEN, timezone.now() + timedelta(minutes=30))
    sandbox_config.save()
    return World(sandbox, sandbox_config)


def test_no_response_contains_the_password_or_the_token(secret_world, admin, coach):
    config = secret_world.config
    secrets = {secret_world.sandbox.password, CACHED_TOKEN, TYPED_PASSWORD} | secrets_of(config)
    said = []
    # Deleting last, so every other endpoint still finds the connection.
    endpoints = sorted(ENDPOINTS, key=lambda endpoint: endpoint.method == "DELETE")
    for user in (coach, admin):
        client = client_for(user)
        for endpoint in endpoints:
            body = getattr(secret_world, endpoint.body)() if endpoint.body else None
            response = client.generic(
                endpoint.method,
                endpoint.path.format(**secret_world.ids()),
                data=json.dumps(body) if body is not None else "",
                content_type="application/json",
            )
            said.append((f"{endpoint} as {user}", everything_said(response)))
            if endpoint.method != "DELETE":
                secrets |= secrets_of(config)  # a test may have logged in: a new token
        # Input that fails validation, carrying a password, must not be echoed back.
        for response in (
            client.post(
                "/api/twizzit/connections/test/",
                {**secret_world.credentials(), "api_password": TYPED_PASSWORD},
            ),
            client.post(
                "/api/twizzit/connections/",
                {
                    **secret_world.new_connection(),
                    "api_password": TYPED_PASSWORD,
                    "api_base_url": "http://x.org",
                },
            ),
            client.patch(
                f"/api/twizzit/connections/{config.pk}/",
                {"api_password": TYPED_PASSWORD, "monthly_call_limit": -1},
            ),
        ):
            said.append((f"refused input as {user}", everything_said(response)))

    assert len(secrets) >= 5  # password, typed password, cached token, sealed values
    for where, text in said:
        for secret in secrets:
            assert secret not in text, f"a secret in the response to {where}"


def test_a_connection_says_only_whether_a_password_is_set(admin_api, sandbox_config):
    data = admin_api.get(f"/api/twizzit/connections/{sandbox_config.pk}/").json()
    assert data["password_set"] is True
    assert not {"api_password", "api_password_encrypted", "api_token_encrypted"} & set(data)
    assert not any("token" in name for name in data)
