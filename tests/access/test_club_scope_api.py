"""Each club sees its own over REST: six kinds of user and every endpoint, two synced clubs.

Counts are checked against what each club holds (its connection's rows, the players
mapped from it or on its teams); another club's ids answer 404; actions on them change
nothing in the database; no answer names another club's player.
"""

from __future__ import annotations

import json

import pytest

from shotspot.models import Game, Player, Season, Team
from tests.access.clubs import USERS, players_only_of, two_clubs
from tests.api.conftest import client_for
from twizzit.models import (
    PlayerMapping,
    Resolution,
    SyncConflict,
    SyncLog,
    SyncStatus,
    TeamMapping,
)

LISTS = {
    "/api/twizzit/connections/": "connections",
    "/api/twizzit/sync-logs/": "sync_logs",
    "/api/twizzit/conflicts/": "conflicts",  # pending ones
    "/api/twizzit/player-mappings/": "player_mappings",
    "/api/twizzit/team-mappings/": "team_mappings",
    "/api/players/": "players",
    "/api/teams/": "teams",
    "/api/seasons/": "seasons",
    "/api/games/": "games",
}
# Which connections each user reaches: None = the API refuses them (403).
REACHES = {
    "federation": ("a", "b"),
    "admin_a": ("a",),
    "coach_a": ("a",),
    "coach_both": ("a", "b"),
    "staff_only": None,
    "no_role": None,
}


def expected(clubs, reach) -> dict[str, set[int]]:
    """What a user reaching these connections should see, from the clubs' own rows."""
    configs = [getattr(clubs, key) for key in reach]
    teams = set(TeamMapping.objects.filter(config__in=configs).values_list("team", flat=True))
    players = set(
        PlayerMapping.objects.filter(config__in=configs, player__isnull=False).values_list(
            "player", flat=True
        )
    ) | set(Player.objects.filter(memberships__team__in=teams).values_list("pk", flat=True))
    return {
        "connections": {config.pk for config in configs},
        "sync_logs": set(SyncLog.objects.filter(config__in=configs).values_list("pk", flat=True)),
        "conflicts": set(
            SyncConflict.objects.filter(
                config__in=configs, resolution=Resolution.PENDING
            ).values_list("pk", flat=True)
        ),
        "player_mappings": set(
            PlayerMapping.objects.filter(config__in=configs).values_list("pk", flat=True)
        ),
        "team_mappings": set(
            TeamMapping.objects.filter(config__in=configs).values_list("pk", flat=True)
        ),
        "players": players,
        "teams": teams,
        "seasons": set(
            Season.objects.filter(twizzit_mappings__config__in=configs).values_list("pk", flat=True)
        ),
        "games": set(Game.objects.filter(team__in=teams).values_list("pk", flat=True)),
    }


def all_pages(client, path) -> list:
    """Every page of a list, as answered."""
    url, page, pages = path + ("&" if "?" in path else "?") + "limit=200", 1, []
    while True:
        response = client.get(f"{url}&page={page}")
        assert response.status_code == 200, (path, response.content[:300])
        pages.append(response)
        if not response.json()["has_more"]:
            return pages
        page += 1


def all_ids(client, path) -> set[int]:
    return {row["id"] for page in all_pages(client, path) for row in page.json()["results"]}


@pytest.fixture
def clubs(sandbox, make_sandbox, django_user_model):
    return two_clubs(sandbox, make_sandbox, django_user_model)


@pytest.mark.django_db
def test_each_user_lists_exactly_the_rows_of_the_clubs_they_belong_to(clubs):
    for name in USERS:
        client = client_for(clubs.users[name])
        reach = REACHES[name]
        for path, kind in LISTS.items():
            if reach is None:
                assert client.get(path).status_code == 403, (name, path)
                continue
            seen = all_ids(client, path)
            if name == "federation":
                model = {
                    "players": Player,
                    "teams": Team,
                    "seasons": Season,
                    "games": Game,
                }.get(kind)
                if model is not None:  # hand-made rows of no club too
                    assert seen == set(model.objects.values_list("pk", flat=True)), kind
                    continue
            assert seen == expected(clubs, reach)[kind], (name, kind)
    # The clubs differ, the hand-made loose player only federation admins see.
    a_only = expected(clubs, ("a",))
    assert clubs.a_player_by_hand.pk in a_only["players"]
    assert clubs.loose_player.pk not in a_only["players"]
    assert len(a_only["players"]) > 300 and len(expected(clubs, ("b",))["players"]) >= 40


def foreign_ids(clubs) -> dict[str, int]:
    b_player = players_only_of(clubs.b, clubs.a)[0]
    return {
        "config": clubs.b.pk,
        "log": SyncLog.objects.filter(config=clubs.b).first().pk,
        "conflict": SyncConflict.objects.filter(config=clubs.b).first().pk,
        "player_mapping": PlayerMapping.objects.filter(config=clubs.b).first().pk,
        "team_mapping": TeamMapping.objects.filter(config=clubs.b).first().pk,
        "player": b_player.pk,
        "team": TeamMapping.objects.filter(config=clubs.b).first().team_id,
        "game": Game.objects.filter(team__twizzit_mappings__config=clubs.b).first().pk,
    }


FOREIGN_REQUESTS = [
    ("GET", "/api/twizzit/connections/{config}/", None),
    ("PATCH", "/api/twizzit/connections/{config}/", {"sync_enabled": False}),
    ("DELETE", "/api/twizzit/connections/{config}/", None),
    ("POST", "/api/twizzit/connections/{config}/test/", None),
    ("POST", "/api/twizzit/connections/{config}/sync/", {"type": "players"}),
    ("GET", "/api/twizzit/connections/{config}/status/", None),
    ("GET", "/api/twizzit/sync-logs/{log}/", None),
    ("POST", "/api/twizzit/sync-logs/{log}/cancel/", None),
    ("GET", "/api/twizzit/conflicts/{conflict}/", None),
    ("POST", "/api/twizzit/conflicts/{conflict}/resolve/", {"resolution": "twizzit_wins"}),
    ("GET", "/api/twizzit/player-mappings/{player_mapping}/", None),
    ("PATCH", "/api/twizzit/player-mappings/{player_mapping}/", {"player": 1}),
    ("GET", "/api/twizzit/team-mappings/{team_mapping}/", None),
    ("PATCH", "/api/twizzit/team-mappings/{team_mapping}/", {"team": 1}),
    ("GET", "/api/players/{player}/", None),
    ("GET", "/api/players/{player}/personal-data/", None),
    ("POST", "/api/players/{player}/erase/", {"confirm": True}),
    ("GET", "/api/teams/{team}/", None),
    ("GET", "/api/games/{game}/", None),
]


def database_state(clubs) -> dict:
    b = clubs.b
    b.refresh_from_db()
    return {
        "sync_enabled": b.sync_enabled,
        "logs": list(SyncLog.objects.filter(config=b).values_list("pk", "status")),
        "pending": SyncConflict.objects.filter(config=b, resolution=Resolution.PENDING).count(),
        "mappings": list(
            PlayerMapping.objects.filter(config=b).order_by("pk").values_list("pk", "player")
        ),
        "players": Player.objects.count(),
        "credentials_checked_at": b.credentials_checked_at,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["admin_a", "coach_a"])
def test_another_clubs_ids_answer_404_and_actions_on_them_change_nothing(clubs, name):
    client = client_for(clubs.users[name])
    ids = foreign_ids(clubs)
    before = database_state(clubs)
    calls_before = clubs.server_b.state.calls if hasattr(clubs.server_b.state, "calls") else None
    for method, path, body in FOREIGN_REQUESTS:
        response = client.generic(
            method,
            path.format(**ids),
            data=json.dumps(body) if body is not None else "",
            content_type="application/json",
        )
        assert response.status_code == 404, (name, method, path, response.content[:200])
    assert database_state(clubs) == before
    if calls_before is not None:
        assert clubs.server_b.state.calls == calls_before


@pytest.mark.django_db
def test_a_bulk_resolve_holding_one_foreign_conflict_is_refused_whole(clubs):
    client = client_for(clubs.users["admin_a"])
    own = SyncConflict.objects.filter(config=clubs.a, resolution=Resolution.PENDING).first()
    foreign = SyncConflict.objects.filter(config=clubs.b, resolution=Resolution.PENDING).first()
    response = client.post(
        "/api/twizzit/conflicts/resolve/",
        {"ids": [own.pk, foreign.pk], "resolution": "ignored"},
        format="json",
    )
    assert response.status_code == 404
    own.refresh_from_db()
    foreign.refresh_from_db()
    assert own.resolution == Resolution.PENDING and foreign.resolution == Resolution.PENDING
    # Its own conflicts alone are accepted.
    response = client.post(
        "/api/twizzit/conflicts/resolve/", {"ids": [own.pk], "resolution": "ignored"}, format="json"
    )
    assert response.status_code == 202


@pytest.mark.django_db
def test_a_coach_of_a_club_may_sync_it_but_not_resolve_its_conflicts(clubs):
    client = client_for(clubs.users["coach_a"])
    conflict = SyncConflict.objects.filter(config=clubs.a, resolution=Resolution.PENDING).first()
    response = client.post(
        f"/api/twizzit/conflicts/{conflict.pk}/resolve/",
        {"resolution": "twizzit_wins"},
        format="json",
    )
    assert response.status_code == 403
    conflict.refresh_from_db()
    assert conflict.resolution == Resolution.PENDING
    response = client.post(
        f"/api/twizzit/connections/{clubs.a.pk}/sync/", {"type": "players"}, format="json"
    )
    assert response.status_code == 202
    assert SyncLog.objects.filter(config=clubs.a, status=SyncStatus.PENDING).count() == 1


@pytest.mark.django_db
def test_a_club_admin_resolves_its_own_conflict_and_may_not_add_a_connection(clubs):
    client = client_for(clubs.users["admin_a"])
    conflict = SyncConflict.objects.filter(config=clubs.a, resolution=Resolution.PENDING).first()
    response = client.post(
        f"/api/twizzit/conflicts/{conflict.pk}/resolve/",
        {"resolution": "twizzit_wins"},
        format="json",
    )
    assert response.status_code == 200
    conflict.refresh_from_db()
    assert conflict.resolution == Resolution.TWIZZIT_WINS
    response = client.post(
        "/api/twizzit/connections/",
        {
            "organization_id": 3003,
            "organization_name": "KC Newcomers",
            "api_base_url": "https://app.twizzit.com",
            "api_username": "x",
            "api_password": "y",
        },
        format="json",
    )
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["admin_a", "coach_a"])
def test_no_answer_to_a_club_a_user_names_a_player_of_club_b(clubs, name):
    client = client_for(clubs.users[name])
    a_names = {
        (p.first_name, p.last_name)
        for p in Player.objects.filter(pk__in=expected(clubs, ("a",))["players"])
    }
    b_only = [
        p for p in players_only_of(clubs.b, clubs.a) if (p.first_name, p.last_name) not in a_names
    ]
    assert len(b_only) > 20
    bodies = []
    for path in LISTS:
        bodies += [page.content.decode() for page in all_pages(client, path)]
    for pk in expected(clubs, ("a",))["conflicts"]:
        bodies.append(client.get(f"/api/twizzit/conflicts/{pk}/").content.decode())
    text = "\n".join(bodies)
    for player in b_only:
        assert f'"{player.last_name}"' not in text or player.last_name in {
            last for _, last in a_names
        }
        if player.email:
            assert player.email not in text, player
