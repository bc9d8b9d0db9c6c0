"""The OpenAPI schema is valid, its docs page answers, and the API keeps its promises.

The fuzz test starts a live server, loads /api/schema/ with schemathesis and sends
generated requests (valid and invalid) to every operation as an admin: none may answer
5xx, and every answer must match the schema (status code, content type, headers, body).
It is bounded: a fixed number of examples per operation and mode, no shrinking, the same
examples on every run (derandomized), so it is as fast and as stable in CI as anywhere.

Generated connections may point anywhere. Nothing reaches the internet: requests leave
this process only for the live server and the local sandbox; any other host fails at
once, as a host with no network would.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from django.contrib.auth import get_user_model
from django.core.management import call_command
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shotspot.models import Game
from tests.api.data import (
    email_mismatch,
    player,
    sync_log,
    synced_player,
    synced_season,
    synced_team,
)
from tests.sandbox import connect
from twizzit.models import ConflictType, EntityType, SyncConflict, SyncStatus
from twizzit.services.access import grant

EXAMPLES_PER_MODE = 12
MIN_REQUESTS = 500
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def test_schema_answers_as_openapi_3(client, db):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/twizzit/connections/{id}/sync/" in schema["paths"]


def test_schema_generates_without_warnings_and_validates(db, tmp_path):
    # --fail-on-warn: an action drf-spectacular cannot describe fails here, not in a client.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))
    assert (tmp_path / "s.yaml").read_text().startswith("openapi: 3.0.3")


def test_docs_page_answers(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_every_operation_documents_its_errors(client, db):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"401", "403", "429"} <= codes, (method, path)
            if "{id}" in path:
                assert "404" in codes, (method, path)
            if "requestBody" in operation:
                assert {"400", "415"} <= codes, (method, path)
            if method == "get" and "{id}" not in path:  # a list: filters and paging
                assert "400" in codes, (method, path)


def test_the_password_is_write_only_in_the_schema(client, db):
    components = client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    assert "api_password" in components["ConnectionRequest"]["properties"]
    assert "api_password" in components["ConnectionCreateRequest"]["required"]
    for name, component in components.items():
        if not name.endswith("Request"):
            assert "api_password" not in component.get("properties", {}), name
            assert not any("token" in field for field in component.get("properties", {})), name


@pytest.fixture
def loopback_only(monkeypatch, live_server, sandbox):
    """Requests may reach the live server and the sandbox; any other host fails at once."""
    allowed = {urlsplit(live_server.url).netloc, urlsplit(sandbox.url).netloc}
    send = requests.adapters.HTTPAdapter.send

    def guarded(adapter, request, *args, **kwargs):
        if urlsplit(request.url).netloc not in allowed:
            raise requests.ConnectionError(
                f"no network in this test: {urlsplit(request.url).netloc}"
            )
        return send(adapter, request, *args, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", guarded)


@pytest.fixture
def generous_throttles(monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {"user": "100000/hour", "anon": "100000/hour", "twizzit-calls": "100000/hour"},
    )


def seed(sandbox) -> dict[str, int]:
    """A little of everything; returns a real id for each kind of path."""
    config = connect(sandbox)
    other = connect(sandbox, organization_id=2002, organization_name="KC Elders")
    sync_log(
        config, errors=[{"entity": "players", "twizzit_id": 1, "message": "x", "level": "error"}]
    )
    sync_log(
        config,
        dry_run=True,
        planned_changes=[
            {
                "entity": "players",
                "twizzit_id": 2,
                "action": "update",
                "label": "An Janssens",
                "changes": {"email": ["a@x.be", "b@x.be"]},
            }
        ],
    )
    pending = sync_log(other, status=SyncStatus.PENDING)
    rows = {}
    for number in range(1, 4):
        player_row, player_mapping = synced_player(config, 5000 + number, first=f"Speler{number}")
        conflict = email_mismatch(config, player_mapping)
        team_row, team_mapping = synced_team(config, 6000 + number, name=f"Kern {number}")
        rows.setdefault("players", player_row.pk)
        rows.setdefault("player-mappings", player_mapping.pk)
        rows.setdefault("conflicts", conflict.pk)
        rows.setdefault("teams", team_row.pk)
        rows.setdefault("team-mappings", team_mapping.pk)
    season = synced_season(config, 7001)
    player("Nina", "Claes")
    game = Game.objects.create(
        team_id=rows["teams"], opponent="Sikopi", start=datetime(2025, 10, 5, 13, tzinfo=UTC)
    )
    rows["games"] = game.pk
    SyncConflict.objects.create(
        config=config,
        entity_type=EntityType.PLAYER,
        twizzit_id=9001,
        conflict_type=ConflictType.DUPLICATE,
        twizzit_data={"first_name": "Jan", "last_name": "Maes"},
        candidates=[{"id": 1, "label": "Jan Maes", "matched_on": "name"}],
    )
    club_admin = get_user_model().objects.create_user("kim-club-admin")
    rows["access"] = grant(club_admin, config, "admin").pk
    return {**rows, "connections": config.pk, "sync-logs": pending.pk, "seasons": season.pk}


def operations_in_a_useful_order(schema):
    """Every operation, deletions last (so the rest still finds the seeded rows)."""
    operations = [result.ok() for result in schema.get_all_operations()]
    return sorted(operations, key=lambda operation: operation.method.upper() == "DELETE")


def real_id_for(operation, real_ids: dict[str, int]) -> int | None:
    if "{id}" not in operation.path:
        return None
    kind = operation.path.removeprefix("/api/").removeprefix("twizzit/").split("/")[0]
    return real_ids[kind]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_generated_requests_never_crash_the_api_or_break_its_schema(
    live_server, sandbox, admin, loopback_only, generous_throttles
):
    real_ids = seed(sandbox)
    token = Token.objects.create(user=admin).key
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    headers = {"Authorization": f"Token {token}"}
    sent = 0
    failures = []

    for operation in operations_in_a_useful_order(schema):
        # Generated ids mostly miss; the same requests against a seeded row reach the
        # code behind the lookup.
        id_choices = (
            [None, real_id_for(operation, real_ids)] if "{id}" in operation.path else [None]
        )
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for real_id in id_choices:
                if real_id is not None and mode == GenerationMode.NEGATIVE and not operation.body:
                    continue  # with the id fixed, nothing is left to make invalid
                path_parameters = {"id": real_id} if real_id is not None else None

                @given(
                    case=operation.as_strategy(
                        generation_mode=mode, path_parameters=path_parameters
                    )
                )
                @settings(
                    max_examples=EXAMPLES_PER_MODE,
                    deadline=None,
                    derandomize=True,
                    database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )
                def call(case):
                    nonlocal sent
                    sent += 1
                    case.call_and_validate(headers=headers, checks=CHECKS, timeout=10)

                try:
                    call()
                except (Exception, BaseExceptionGroup) as exc:  # schemathesis groups failures
                    failures.append(f"{operation.label} [{mode}, id={real_id}]: {exc}")

    assert not failures, "\n\n".join(failures)
    assert sent >= MIN_REQUESTS
