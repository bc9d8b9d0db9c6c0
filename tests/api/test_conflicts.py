"""Reading and deciding conflicts over the API, one at a time and in bulk."""

from __future__ import annotations

import pytest

from shotspot.models import Player, SyncSource
from tests.api.conftest import run_task, take_queued_tasks
from tests.api.data import email_mismatch, player, synced_player
from twizzit.models import (
    ConflictType,
    EntityType,
    PlayerMapping,
    Resolution,
    SyncConflict,
)

URL = "/api/twizzit/conflicts/"


@pytest.fixture
def mismatch(config):
    _, mapping = synced_player(config, 501)
    return email_mismatch(config, mapping)


@pytest.fixture
def duplicate(config):
    """A Twizzit contact that looks like two ShotSpot players."""
    return SyncConflict.objects.create(
        config=config,
        entity_type=EntityType.PLAYER,
        twizzit_id=777,
        conflict_type=ConflictType.DUPLICATE,
        twizzit_data={"first_name": "Jan", "last_name": "Maes", "email": "jan@club.be"},
        candidates=[
            {"id": player("Jan", "Maes").pk, "label": "Jan Maes", "matched_on": "name"},
            {"id": player("Jan", "Maes").pk, "label": "Jan Maes", "matched_on": "name"},
        ],
    )


def resolve(client, conflict, **body):
    return client.post(f"{URL}{conflict.pk}/resolve/", body)


def test_the_list_shows_pending_conflicts_unless_asked_otherwise(coach_api, mismatch, duplicate):
    duplicate.resolution = Resolution.IGNORED
    duplicate.save()
    pending = coach_api.get(URL).json()
    assert [row["id"] for row in pending["results"]] == [mismatch.pk]
    resolved = coach_api.get(URL, {"resolution": "resolved"}).json()
    assert [row["id"] for row in resolved["results"]] == [duplicate.pk]
    every = coach_api.get(URL, {"resolution": "all"}).json()
    assert every["total"] == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"conflict_type": "duplicate"}, {"duplicate"}),
        ({"conflict_type": "data_mismatch"}, {"mismatch"}),
        ({"entity_type": "team"}, set()),
        ({"entity_type": "player"}, {"mismatch", "duplicate"}),
    ],
)
def test_conflicts_filter_by_type(coach_api, mismatch, duplicate, query, expected):
    rows = coach_api.get(URL, query).json()["results"]
    named = {"mismatch": mismatch.pk, "duplicate": duplicate.pk}
    assert {row["id"] for row in rows} == {named[name] for name in expected}


def test_conflicts_filter_by_connection(coach_api, mismatch, sandbox_config):
    assert coach_api.get(URL, {"connection": sandbox_config.pk}).json()["total"] == 0
    assert coach_api.get(URL, {"connection": mismatch.config_id}).json()["total"] == 1


def test_a_conflict_shows_base_shotspot_and_twizzit_values_per_field(coach_api, mismatch):
    data = coach_api.get(f"{URL}{mismatch.pk}/").json()
    assert data["fields"] == [
        {"field": "email", "base": "", "shotspot": "lotte@club.be", "twizzit": "lotte@twizzit.be"}
    ]
    assert (data["label"], data["local_id"]) == ("Lotte Peeters", mismatch.player_id)
    assert (data["conflict_type"], data["resolution"]) == ("data_mismatch", "pending")


def test_a_duplicate_shows_its_candidates(coach_api, duplicate):
    data = coach_api.get(f"{URL}{duplicate.pk}/").json()
    assert [candidate["id"] for candidate in data["candidates"]] == [
        candidate["id"] for candidate in duplicate.candidates
    ]
    assert data["label"] == "Jan Maes"
    assert {row["field"] for row in data["fields"]} == {"first_name", "last_name", "email"}


def test_twizzit_wins_applies_twizzits_value(admin_api, admin, mismatch):
    response = resolve(admin_api, mismatch, resolution="twizzit_wins")
    assert response.status_code == 200
    assert (response.json()["resolution"], response.json()["resolved_by"]) == (
        "twizzit_wins",
        "ada-admin",
    )
    assert Player.objects.get(pk=mismatch.player_id).email == "lotte@twizzit.be"


def test_manual_values_are_applied(admin_api, mismatch):
    response = resolve(admin_api, mismatch, resolution="manual", values={"email": "l@both.be"})
    assert response.status_code == 200
    assert Player.objects.get(pk=mismatch.player_id).email == "l@both.be"
    assert response.json()["resolved_values"] == {"email": "l@both.be"}


def test_an_invalid_manual_value_is_refused_per_field_and_nothing_changes(admin_api, mismatch):
    response = resolve(admin_api, mismatch, resolution="manual", values={"email": "not-an-email"})
    assert response.status_code == 400
    assert "values.email" in response.json()["errors"]
    mismatch.refresh_from_db()
    assert mismatch.resolution == Resolution.PENDING
    assert Player.objects.get(pk=mismatch.player_id).email == "lotte@club.be"


def test_manual_values_for_fields_not_in_conflict_are_refused(admin_api, mismatch):
    response = resolve(admin_api, mismatch, resolution="manual", values={"phone": "0470"})
    assert response.status_code == 400
    assert "not in conflict: phone" in response.json()["detail"]


def test_resolving_twice_is_a_conflict(admin_api, mismatch):
    assert resolve(admin_api, mismatch, resolution="ignored").status_code == 200
    response = resolve(admin_api, mismatch, resolution="twizzit_wins")
    assert response.status_code == 409
    assert response.json()["code"] == "already_resolved"
    mismatch.refresh_from_db()
    assert mismatch.resolution == Resolution.IGNORED


def test_a_resolved_conflict_can_still_be_read(coach_api, admin_api, mismatch):
    resolve(admin_api, mismatch, resolution="ignored")
    response = coach_api.get(f"{URL}{mismatch.pk}/")
    assert response.status_code == 200
    assert response.json()["resolution"] == "ignored"


def test_a_duplicate_is_linked_to_the_chosen_player(admin_api, duplicate):
    chosen = duplicate.candidates[1]["id"]
    response = resolve(admin_api, duplicate, resolution="manual", values={"local_id": chosen})
    assert response.status_code == 200
    mapping = PlayerMapping.objects.get(twizzit_contact_id=777)
    assert mapping.player_id == chosen
    assert Player.objects.get(pk=chosen).sync_source == SyncSource.TWIZZIT


def test_a_duplicate_linked_to_no_player_is_refused(admin_api, duplicate):
    response = resolve(admin_api, duplicate, resolution="manual", values={"local_id": 999_999})
    assert response.status_code == 400
    assert "no player #999999" in response.json()["detail"]
    assert not PlayerMapping.objects.filter(twizzit_contact_id=777).exists()


def test_pending_is_not_a_resolution(admin_api, mismatch):
    response = resolve(admin_api, mismatch, resolution="pending")
    assert response.status_code == 400
    assert "resolution" in response.json()["errors"]


def test_bulk_resolution_answers_at_once_and_a_worker_resolves_them(admin_api, admin, config):
    conflicts = [email_mismatch(config, synced_player(config, 600 + i)[1]) for i in range(3)]
    ids = [conflict.pk for conflict in conflicts]
    response = admin_api.post(f"{URL}resolve/", {"ids": ids, "resolution": "twizzit_wins"})
    assert response.status_code == 202
    assert response.json()["pending"] == 3
    # The request only queued the work.
    assert SyncConflict.objects.filter(pk__in=ids, resolution=Resolution.PENDING).count() == 3

    [task] = take_queued_tasks()
    assert response.json()["task_id"] == task["id"]
    outcome = run_task(task)

    assert sorted(outcome["resolved"]) == sorted(ids)
    assert set(SyncConflict.objects.filter(pk__in=ids).values_list("resolution", flat=True)) == {
        Resolution.TWIZZIT_WINS
    }
    assert set(Player.objects.filter(sync_conflicts__in=ids).values_list("email", flat=True)) == {
        "lotte@twizzit.be"
    }
    assert {c.resolved_by for c in SyncConflict.objects.filter(pk__in=ids)} == {admin}


def test_bulk_resolution_with_manual_values_is_refused(admin_api, mismatch):
    response = admin_api.post(f"{URL}resolve/", {"ids": [mismatch.pk], "resolution": "manual"})
    assert response.status_code == 400
    assert "resolution" in response.json()["errors"]


def test_bulk_resolution_needs_ids(admin_api):
    response = admin_api.post(f"{URL}resolve/", {"ids": [], "resolution": "ignored"})
    assert response.status_code == 400
    assert "ids" in response.json()["errors"]


def test_an_internationalised_address_is_accepted_as_a_manual_value(admin_api, mismatch):
    address = "jösé.peeters@exämple.be"  # RFC 6531: UTF-8 local part, IDN domain

    response = resolve(admin_api, mismatch, resolution="manual", values={"email": address})

    assert response.status_code == 200, response.json()
    assert Player.objects.get(pk=mismatch.player_id).email == address


def test_a_game_conflict_names_the_twizzit_event_id_and_its_group_apart(coach_api, config):
    conflict = SyncConflict.objects.create(
        config=config,
        entity_type=EntityType.GAME,
        twizzit_id=640063 * 10**9 + 9010,  # the key made of event 640063 and group 9010
        conflict_type=ConflictType.DELETED_IN_TWIZZIT,
    )

    data = coach_api.get(f"{URL}{conflict.pk}/").json()
    listed = coach_api.get(URL, {"entity_type": "game"}).json()["results"]

    assert (data["twizzit_id"], data["twizzit_group_id"]) == (640063, 9010)
    assert [(c["twizzit_id"], c["twizzit_group_id"]) for c in listed] == [(640063, 9010)]


def test_a_player_conflict_has_no_group(coach_api, mismatch):
    data = coach_api.get(f"{URL}{mismatch.pk}/").json()

    assert (data["twizzit_id"], data["twizzit_group_id"]) == (501, None)
