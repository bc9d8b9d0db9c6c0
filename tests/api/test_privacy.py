"""A player's personal data over REST (issue 23): export and erase, admins only."""

from __future__ import annotations

import pytest

from shotspot.models import Player
from tests.privacy_data import MEMBER, SECRETS, hits_in_tables, plant_member
from twizzit.models import ErasedContact, SyncLog, SyncStatus

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_downloads_a_players_personal_data_as_a_json_attachment(
    admin_api, sandbox, sandbox_config, admin_user
):
    player, contact_id = plant_member(sandbox_config, sandbox, admin_user)

    response = admin_api.get(f"/api/players/{player.pk}/personal-data/")

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    document = response.json()
    assert document["player"]["last_name"]["value"] == MEMBER["last_name"]
    assert document["twizzit_links"][0]["twizzit_contact_id"] == contact_id


def test_admin_erases_a_player_over_rest_and_only_the_suppression_stays(
    admin_api, sandbox, sandbox_config, admin_user
):
    player, contact_id = plant_member(sandbox_config, sandbox, admin_user)

    response = admin_api.post(f"/api/players/{player.pk}/erase/", {"confirm": True}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["not_imported_again"] == [
        {"organisation": sandbox_config.organization_name, "twizzit_contact_id": contact_id}
    ]
    assert "Remove the member in Twizzit" in body["message"]
    assert not Player.objects.filter(pk=player.pk).exists()
    assert ErasedContact.objects.filter(twizzit_contact_id=contact_id).exists()
    assert hits_in_tables(SECRETS) == {}


def test_erase_without_confirm_is_refused_and_loses_nothing(admin_api, db):
    player = Player.objects.create(first_name="Nina", last_name="Claes")

    response = admin_api.post(f"/api/players/{player.pk}/erase/", {}, format="json")

    assert response.status_code == 400
    assert "confirm" in str(response.json())
    assert Player.objects.filter(pk=player.pk).exists()


def test_erase_while_a_sync_of_the_players_connection_runs_is_refused_with_409(
    admin_api, sandbox, sandbox_config, admin_user
):
    player, _contact_id = plant_member(sandbox_config, sandbox, admin_user)
    running = SyncLog.objects.create(
        config=sandbox_config, sync_type="full", status=SyncStatus.RUNNING
    )
    sandbox_config.running_sync = running
    sandbox_config.save(update_fields=["running_sync"])

    response = admin_api.post(f"/api/players/{player.pk}/erase/", {"confirm": True}, format="json")

    assert response.status_code == 409
    assert "is running" in response.json()["detail"]
    assert Player.objects.filter(pk=player.pk).exists()
    assert not ErasedContact.objects.exists()


def test_coach_may_neither_export_nor_erase(coach_api, db):
    player = Player.objects.create(first_name="Nina", last_name="Claes")
    assert coach_api.get(f"/api/players/{player.pk}/personal-data/").status_code == 403
    response = coach_api.post(f"/api/players/{player.pk}/erase/", {"confirm": True}, format="json")
    assert response.status_code == 403
    assert Player.objects.filter(pk=player.pk).exists()
