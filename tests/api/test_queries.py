"""Every list costs the same number of queries for 10 rows as for 200: no query per row.

Each list gets rows with every relation its serializer shows filled in (a player with its
mapping and a pending conflict, a team with its club and season, a sync log with the user
who started it, ...), and is read in one page of 200.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shotspot.models import Club, Player, Season, Team
from tests.api.data import email_mismatch, sync_log, synced_player
from twizzit.models import PlayerMapping, Resolution, SeasonMapping, SyncConflict, TeamMapping
from twizzit.services.connections import create_connection


def players(config, numbers, admin):
    for i in numbers:
        _, mapping = synced_player(config, 10_000 + i, first=f"P{i}")
        email_mismatch(config, mapping)


def teams(config, numbers, admin):
    club = Club.objects.create(name=f"KC {numbers[0]}")
    season = Season.objects.create(name=f"Season {numbers[0]}")
    for i in numbers:
        team = Team.objects.create(name=f"Kern {i}", club=club, season=season)
        TeamMapping.objects.create(config=config, twizzit_group_id=20_000 + i, team=team)


def seasons(config, numbers, admin):
    for i in numbers:
        season = Season.objects.create(name=f"{2000 + i}")
        SeasonMapping.objects.create(config=config, twizzit_season_id=30_000 + i, season=season)


def sync_logs(config, numbers, admin):
    for _ in numbers:
        sync_log(config, triggered_by=admin, errors=[{"entity": "players", "message": "x"}])


def conflicts(config, numbers, admin):
    for i in numbers:
        _, mapping = synced_player(config, 40_000 + i)
        conflict = email_mismatch(config, mapping)
        if i % 2:  # half resolved by someone: the list shows who
            conflict.resolution = Resolution.IGNORED
            conflict.resolved_by = admin
            conflict.save()


def player_mappings(config, numbers, admin):
    for i in numbers:
        row = Player.objects.create(first_name=f"P{i}", last_name="X") if i % 2 else None
        PlayerMapping.objects.create(config=config, twizzit_contact_id=50_000 + i, player=row)


def team_mappings(config, numbers, admin):
    for i in numbers:
        row = Team.objects.create(name=f"T{i}") if i % 2 else None
        TeamMapping.objects.create(config=config, twizzit_group_id=60_000 + i, team=row)


def connections(config, numbers, admin):
    for i in numbers:
        create_connection(
            password="pw",
            organization_id=70_000 + i,
            organization_name=f"KC {i}",
            api_username="api",
        )


LISTS = [
    ("/api/players/", players),
    ("/api/teams/", teams),
    ("/api/seasons/", seasons),
    ("/api/twizzit/sync-logs/", sync_logs),
    ("/api/twizzit/conflicts/?resolution=all", conflicts),
    ("/api/twizzit/player-mappings/", player_mappings),
    ("/api/twizzit/team-mappings/", team_mappings),
    ("/api/twizzit/connections/", connections),
]


def queries_to_list(client, url) -> tuple[int, int]:
    separator = "&" if "?" in url else "?"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{url}{separator}limit=200")
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


@pytest.mark.parametrize(("url", "make_rows"), LISTS, ids=[url for url, _ in LISTS])
def test_a_list_of_200_rows_costs_the_queries_of_a_list_of_10(
    url, make_rows, config, admin, coach_api
):
    make_rows(config, range(10), admin)
    small, shown = queries_to_list(coach_api, url)
    assert shown >= 10
    make_rows(config, range(10, 200), admin)
    large, shown = queries_to_list(coach_api, url)
    assert shown == 200
    assert large == small


def test_conflict_pending_badge_is_right_for_every_row(config, coach_api):
    for i in range(6):
        _, mapping = synced_player(config, 80_000 + i, first=f"P{i}")
        if i % 3 == 0:
            email_mismatch(config, mapping)
    rows = coach_api.get("/api/players/?limit=200").json()["results"]
    pending = {row["first_name"] for row in rows if row["conflict_pending"]}
    assert pending == {"P0", "P3"}
    assert SyncConflict.objects.filter(resolution=Resolution.PENDING).count() == 2
