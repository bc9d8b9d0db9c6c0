"""Deciding a "changed on both sides" conflict field by field (service and REST API).

Over real HTTP against the sandbox: both sides change three fields of a player, a sync
raises the conflict, a person takes Twizzit's value for one field, keeps ShotSpot's for
another and types a third; the next re-sync of that player then writes no ShotSpot row
and asks nothing.
"""

import pytest
from rest_framework.test import APIClient

from tests.sandbox import connect
from twizzit.bench.querycount import count_queries
from twizzit.models import PlayerMapping, Resolution, SyncConflict, SyncType
from twizzit.sync import ResolutionError, run_sync
from twizzit.sync.field_decisions import applied_rows, resolve_fields

PHONE = "+32470000000"


@pytest.fixture
def config(db, sandbox):
    return connect(sandbox)


@pytest.fixture
def three_field_conflict(config, sandbox):
    run_sync(config)
    contact = min(sandbox.state.contacts, key=lambda c: c["id"])
    player = PlayerMapping.objects.get(config=config, twizzit_contact_id=contact["id"]).player
    player.jersey_number = 7
    player.email = "jana.shotspot@club.be"
    player.phone = "+32499111111"
    player.save()
    sandbox.state.update_contact(
        contact["id"],
        number=12,
        **{
            "email-1": {"target": None, "email": "jana.twizzit@club.be"},
            "mobile-1": {"target": None, "cc": "32", "number": "0499222222"},
        },
    )
    run_sync(config, SyncType.PLAYERS)
    conflict = SyncConflict.objects.get(twizzit_id=contact["id"], resolution=Resolution.PENDING)
    assert sorted(conflict.fields) == ["email", "jersey_number", "phone"]
    return conflict


DECISIONS = {"jersey_number": "twizzit", "email": "shotspot", "phone": {"value": PHONE}}


def resync(config, conflict):
    return run_sync(config, SyncType.SELECTED, selection={"contact_ids": [conflict.twizzit_id]})


def test_one_field_from_twizzit_one_kept_one_typed_then_a_resync_asks_nothing(
    config, three_field_conflict, admin_user
):
    conflict = resolve_fields(three_field_conflict, DECISIONS, user=admin_user)

    player = conflict.player
    player.refresh_from_db()
    assert (player.jersey_number, player.email, player.phone) == (
        12,
        "jana.shotspot@club.be",
        PHONE,
    )
    assert conflict.resolution == Resolution.MANUAL
    assert conflict.resolved_by == admin_user
    assert applied_rows(conflict) == [
        {"name": "jersey_number", "field": "Jersey number", "value": 12},
        {"name": "email", "field": "Email", "value": None, "kept": True},
        {"name": "phone", "field": "Phone", "value": PHONE},
    ]

    with count_queries() as cost:
        log = resync(config, conflict)
    assert log.stats["players"]["conflicts"] == 0
    assert log.stats["players"]["updated"] == 0
    assert "shotspot_player" not in cost.tables_written
    assert not SyncConflict.objects.filter(resolution=Resolution.PENDING).exists()
    with count_queries() as cost:
        resync(config, conflict)
    assert cost.data_rows_written == 0, cost.tables_written
    player.refresh_from_db()
    assert (player.jersey_number, player.email, player.phone) == (
        12,
        "jana.shotspot@club.be",
        PHONE,
    )


def test_all_fields_one_way_is_that_side_winning(config, three_field_conflict):
    conflict = resolve_fields(
        three_field_conflict, dict.fromkeys(three_field_conflict.fields, "twizzit")
    )
    assert conflict.resolution == Resolution.TWIZZIT_WINS
    conflict.player.refresh_from_db()
    assert conflict.player.email == "jana.twizzit@club.be"


@pytest.mark.parametrize(
    ("decisions", "where", "message"),
    [
        ({"jersey_number": "twizzit", "email": "shotspot"}, "phone", "Choose ShotSpot"),
        ({**DECISIONS, "gender": "twizzit"}, "__all__", "not in conflict: gender"),
        ({**DECISIONS, "email": "mine"}, "email", "not 'mine'"),
        ({**DECISIONS, "email": {"value": "not an email"}}, "email", "valid email"),
        ({**DECISIONS, "jersey_number": {"value": "-3"}}, "jersey_number", "greater than"),
    ],
)
def test_a_bad_decision_is_refused_on_its_field_and_changes_nothing(
    config, three_field_conflict, decisions, where, message
):
    with pytest.raises(ResolutionError) as refused:
        resolve_fields(three_field_conflict, decisions)
    assert any(message in text for text in refused.value.message_dict[where])
    three_field_conflict.refresh_from_db()
    assert three_field_conflict.is_pending
    three_field_conflict.player.refresh_from_db()
    assert three_field_conflict.player.email == "jana.shotspot@club.be"


@pytest.fixture
def api(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


def test_the_api_takes_the_same_field_by_field_decision(api, config, three_field_conflict):
    response = api.post(
        f"/api/twizzit/conflicts/{three_field_conflict.pk}/resolve/",
        {"resolution": "manual", "fields": DECISIONS},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["resolution"] == "manual"
    three_field_conflict.player.refresh_from_db()
    assert three_field_conflict.player.jersey_number == 12
    assert three_field_conflict.player.phone == PHONE


def test_the_api_refuses_a_bad_typed_value_with_the_admins_message(
    api, config, three_field_conflict
):
    response = api.post(
        f"/api/twizzit/conflicts/{three_field_conflict.pk}/resolve/",
        {"resolution": "manual", "fields": {**DECISIONS, "email": {"value": "nope"}}},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert "Enter a valid email address." in str(body)
    assert "fields.email" in str(body)
    three_field_conflict.refresh_from_db()
    assert three_field_conflict.is_pending


def test_the_api_refuses_fields_with_another_resolution(api, config, three_field_conflict):
    response = api.post(
        f"/api/twizzit/conflicts/{three_field_conflict.pk}/resolve/",
        {"resolution": "twizzit_wins", "fields": DECISIONS},
        format="json",
    )
    assert response.status_code == 400
    assert "manual" in str(response.json())
