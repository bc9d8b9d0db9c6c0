"""ShotSpot's games over the REST API: read-only, filtered by team, dates and status; and
the sync endpoint's `games` type."""

from __future__ import annotations

from datetime import UTC, datetime

from shotspot.models import Game, GameStatus
from tests.api.conftest import run_task, take_queued_tasks
from tests.api.data import synced_team
from twizzit.models import (
    ConflictType,
    EntityType,
    EventMapping,
    SyncConflict,
)


def game(team, opponent, day, **fields):
    start = datetime(2025, *day, 13, 0, tzinfo=UTC)
    return Game.objects.create(team=team, opponent=opponent, start=start, **fields)


def test_a_synced_game_carries_its_event_id_and_pending_conflict(coach_api, config):
    team, _ = synced_team(config, 302, name="Kern 1")
    row = game(team, "Boeckenberg 2", (10, 12), sync_source="twizzit", is_home=True)
    EventMapping.objects.create(
        config=config,
        twizzit_key=45001 * 10**9 + 302,
        twizzit_event_id=45001,
        twizzit_group_id=302,
        game=row,
    )
    data = coach_api.get(f"/api/games/{row.pk}/").json()
    assert (data["team_name"], data["opponent"], data["is_home"]) == (
        "Kern 1",
        "Boeckenberg 2",
        True,
    )
    assert (data["twizzit_id"], data["conflict_pending"]) == (45001, False)
    assert data["start"] == "2025-10-12T13:00:00Z"
    SyncConflict.objects.create(
        config=config,
        entity_type=EntityType.GAME,
        twizzit_id=45001 * 10**9 + 302,
        conflict_type=ConflictType.DELETED_IN_TWIZZIT,
    )
    assert coach_api.get(f"/api/games/{row.pk}/").json()["conflict_pending"] is True


def test_games_are_filtered_by_team_date_range_and_status(coach_api, config):
    first, _ = synced_team(config, 302, name="Kern 1")
    second, _ = synced_team(config, 303, name="Kern 2")
    october = game(first, "Sikopi", (10, 5))
    november = game(first, "Kwik", (11, 9), status=GameStatus.CANCELLED)
    game(second, "Scaldis", (10, 5), is_home=False)

    def ids(**params):
        response = coach_api.get("/api/games/", params)
        assert response.status_code == 200, response.json()
        return [item["id"] for item in response.json()["results"]]

    assert ids(team=first.pk) == [october.pk, november.pk]
    assert ids(team=first.pk, date_from="2025-11-01") == [november.pk]
    assert ids(team=first.pk, date_to="2025-10-31") == [october.pk]
    assert ids(status="cancelled") == [november.pk]
    assert ids(search="sikopi") == [october.pk]
    bad = coach_api.get("/api/games/", {"date_from": "5 october"})
    assert bad.status_code == 400 and "date_from" in str(bad.json())


def test_games_are_read_only(admin_api, config):
    team, _ = synced_team(config, 302)
    row = game(team, "Sikopi", (10, 5))
    assert admin_api.patch(f"/api/games/{row.pk}/", {"opponent": "X"}).status_code == 405
    assert admin_api.post("/api/games/", {"opponent": "X"}).status_code == 405
    row.refresh_from_db()
    assert row.opponent == "Sikopi"


def test_the_sync_endpoint_runs_a_games_sync(
    admin_api, sandbox, early_in_season, sandbox_config, django_capture_on_commit_callbacks
):
    url = f"/api/twizzit/connections/{sandbox_config.pk}/sync/"
    with django_capture_on_commit_callbacks(execute=True):
        admin_api.post(url, {"type": "teams"})
    run_task(take_queued_tasks()[0])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(url, {"type": "games"})
    assert response.status_code == 202
    assert response.json()["sync_type"] == "games"
    run_task(take_queued_tasks()[0])
    log = admin_api.get(f"/api/twizzit/sync-logs/{response.json()['id']}/").json()
    assert log["status"] == "success"
    assert log["stats"]["games"]["created"] == Game.objects.count() > 0
