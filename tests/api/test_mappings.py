"""Mappings over the API: finding them, and pointing one at the right ShotSpot row."""

from __future__ import annotations

import pytest

from shotspot.models import SyncSource, Team
from tests.api.data import player, synced_player, synced_team
from twizzit.models import ConflictType, EntityType, PlayerMapping, Resolution, SyncConflict

PLAYERS = "/api/twizzit/player-mappings/"
TEAMS = "/api/twizzit/team-mappings/"


@pytest.fixture
def mappings(config, sandbox_config):
    _, lotte = synced_player(config, 101, "Lotte", "Peeters")
    _, bram = synced_player(config, 102, "Bram", "Wouters")
    _, elsewhere = synced_player(sandbox_config, 103, "Lotte", "Elders")
    deleted_row, tombstone = synced_player(config, 104, "Sofie", "Verlinden")
    deleted_row.delete()  # deleted in ShotSpot: the mapping remains, pointing nowhere
    tombstone.refresh_from_db()
    return {"lotte": lotte, "bram": bram, "elsewhere": elsewhere, "tombstone": tombstone}


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["player_name"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"search": "lotte"}, {"Lotte Peeters", "Lotte Elders"}),
        ({"search": "102"}, {"Bram Wouters"}),
        ({"search": "verlinden"}, {"Sofie Verlinden"}),
        ({"tombstone": "true"}, {"Sofie Verlinden"}),
        ({"tombstone": "false", "search": "lotte"}, {"Lotte Peeters", "Lotte Elders"}),
    ],
)
def test_player_mappings_are_found_by_name_twizzit_id_and_tombstone(
    coach_api, mappings, query, expected
):
    assert names(coach_api.get(PLAYERS, query)) == expected


def test_player_mappings_filter_by_connection(coach_api, mappings, sandbox_config):
    rows = coach_api.get(PLAYERS, {"connection": sandbox_config.pk}).json()["results"]
    assert [row["twizzit_contact_id"] for row in rows] == [103]


def test_a_tombstone_says_so_and_keeps_the_name_it_had(coach_api, mappings):
    data = coach_api.get(f"{PLAYERS}{mappings['tombstone'].pk}/").json()
    assert (data["player"], data["is_tombstone"], data["player_name"]) == (
        None,
        True,
        "Sofie Verlinden",
    )


def test_a_mapping_is_pointed_at_another_player(admin_api, config, mappings):
    right = player("Lotte", "Peeters-Janssens")
    SyncConflict.objects.create(
        config=config,
        entity_type=EntityType.PLAYER,
        twizzit_id=104,
        conflict_type=ConflictType.DELETED_IN_SHOTSPOT,
    )
    response = admin_api.patch(f"{PLAYERS}{mappings['tombstone'].pk}/", {"player": right.pk})
    assert response.status_code == 200
    assert (response.json()["player"], response.json()["is_tombstone"]) == (right.pk, False)
    right.refresh_from_db()
    assert right.sync_source == SyncSource.TWIZZIT
    # The conflict the wrong link caused is settled by the fix.
    assert not SyncConflict.objects.filter(twizzit_id=104, resolution=Resolution.PENDING).exists()


def test_a_mapping_cannot_point_at_a_player_another_mapping_has(admin_api, mappings):
    taken = mappings["bram"].player_id
    response = admin_api.patch(f"{PLAYERS}{mappings['lotte'].pk}/", {"player": taken})
    assert response.status_code == 400
    assert "already linked" in response.json()["errors"]["player"][0]
    mappings["lotte"].refresh_from_db()
    assert mappings["lotte"].player_id != taken


def test_a_mapping_cannot_point_at_a_player_that_does_not_exist(admin_api, mappings):
    response = admin_api.patch(f"{PLAYERS}{mappings['lotte'].pk}/", {"player": 999_999})
    assert response.status_code == 400
    assert response.json()["errors"] == {"player": ["There is no player #999999."]}


def test_a_mapping_is_changed_with_patch_only(admin_api, mappings):
    response = admin_api.put(f"{PLAYERS}{mappings['lotte'].pk}/", {"player": 1})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert admin_api.delete(f"{PLAYERS}{mappings['lotte'].pk}/").status_code == 405
    assert PlayerMapping.objects.count() == 4


def test_team_mappings_are_searched_and_relinked(admin_api, config):
    _, kern = synced_team(config, 201, name="Kern 1")
    right = Team.objects.create(name="Kern 1 (2025)")
    found = admin_api.get(TEAMS, {"search": "kern"}).json()["results"]
    assert [row["team_name"] for row in found] == ["Kern 1"]
    response = admin_api.patch(f"{TEAMS}{kern.pk}/", {"team": right.pk})
    assert response.status_code == 200
    assert (response.json()["team"], response.json()["team_name"]) == (right.pk, "Kern 1 (2025)")
