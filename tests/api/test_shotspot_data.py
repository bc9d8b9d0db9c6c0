"""ShotSpot's players, teams and seasons: read-only, with the "Synced from Twizzit" badge."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.api.data import email_mismatch, player, synced_player, synced_season, synced_team
from twizzit.models import PlayerMapping


def test_a_synced_player_carries_its_badge(coach_api, config):
    row, mapping = synced_player(config, 4711)
    synced_at = timezone.now() - timedelta(hours=3)
    PlayerMapping.objects.filter(pk=mapping.pk).update(last_synced_at=synced_at)
    data = coach_api.get(f"/api/players/{row.pk}/").json()
    assert data["sync_source"] == "twizzit"
    assert data["twizzit_id"] == 4711
    assert data["last_synced_at"] == synced_at.isoformat().replace("+00:00", "Z")
    assert data["conflict_pending"] is False


def test_a_player_with_a_pending_conflict_says_so(coach_api, config):
    row, mapping = synced_player(config, 4712)
    email_mismatch(config, mapping)
    assert coach_api.get(f"/api/players/{row.pk}/").json()["conflict_pending"] is True
    listed = coach_api.get("/api/players/", {"conflict_pending": "true"}).json()["results"]
    assert [item["id"] for item in listed] == [row.pk]


def test_a_player_made_by_hand_has_no_twizzit_facts(coach_api):
    row = player("Nina", "Claes")
    data = coach_api.get(f"/api/players/{row.pk}/").json()
    assert (data["sync_source"], data["twizzit_id"], data["last_synced_at"]) == (
        "manual",
        None,
        None,
    )


def test_players_are_filtered_by_source_and_searched_by_name(coach_api, config):
    synced_player(config, 1, "Lotte", "Peeters")
    player("Nina", "Claes")
    twizzit = coach_api.get("/api/players/", {"sync_source": "twizzit"}).json()["results"]
    assert [item["last_name"] for item in twizzit] == ["Peeters"]
    found = coach_api.get("/api/players/", {"search": "cla"}).json()["results"]
    assert [item["first_name"] for item in found] == ["Nina"]


def test_teams_and_seasons_carry_the_badge(coach_api, config):
    season = synced_season(config, 301)
    team, _ = synced_team(config, 302, name="Kern 1", season=season)
    team_data = coach_api.get(f"/api/teams/{team.pk}/").json()
    assert (team_data["twizzit_id"], team_data["season_name"]) == (302, "2025-2026")
    season_data = coach_api.get(f"/api/seasons/{season.pk}/").json()
    assert (season_data["sync_source"], season_data["twizzit_id"]) == ("twizzit", 301)
    assert season_data["conflict_pending"] is False


def test_shotspot_data_is_read_only(admin_api, config):
    row = player("Nina", "Claes")
    assert admin_api.patch(f"/api/players/{row.pk}/", {"first_name": "X"}).status_code == 405
    assert admin_api.post("/api/players/", {"first_name": "X"}).status_code == 405
    row.refresh_from_db()
    assert row.first_name == "Nina"
