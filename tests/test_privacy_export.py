"""Exporting a member on request (issue 23): every stored field, with where it came from."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shotspot.models import Player
from tests.privacy_data import MEMBER, plant_member
from tests.sandbox import connect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def config(sandbox, admin_user):
    return connect(sandbox)


def exported(player_id) -> dict:
    out = StringIO()
    call_command("privacy", "export", "--player", str(player_id), stdout=out)
    return json.loads(out.getvalue())


def test_export_holds_every_stored_field_of_the_member_with_its_source(config, sandbox, admin_user):
    player, contact_id = plant_member(config, sandbox, admin_user)
    document = exported(player.pk)

    fields = document["player"]
    stored = {f.name for f in Player._meta.concrete_fields}
    assert set(fields) == stored
    assert all(piece["source"] for piece in fields.values())
    assert fields["first_name"]["value"] == MEMBER["first_name"]
    assert fields["date_of_birth"]["value"] == MEMBER["date_of_birth"]
    assert fields["phone"]["value"] == f"+32{MEMBER['phone']}"
    # The names came from Twizzit; the e-mail was changed in ShotSpot (the conflict).
    assert fields["last_name"]["source"].startswith(f"Twizzit: contact {contact_id} of ")
    assert fields["email"]["value"] == MEMBER["local_email"]
    assert fields["email"]["source"].startswith("ShotSpot: entered or changed")
    assert fields["id"]["source"] == "ShotSpot: kept by the system"

    [link] = document["twizzit_links"]
    assert link["twizzit_contact_id"] == contact_id
    assert link["merge_base"]["last_name"] == MEMBER["last_name"]
    assert [r["role"] for r in document["rosters"]] == ["Player"]
    kinds = sorted(c["kind"] for c in document["conflicts"])
    assert kinds == ["Changed on both sides", "Possible duplicate"]
    assert {e["kind"] for e in document["sync_log_entries"]} == {"entry", "planned change"}
    assert all(e["source"] for e in document["sync_log_entries"])
    assert document["emails"] and all(MEMBER["last_name"] in m["text"] for m in document["emails"])
    assert document["background_task_results"] == 1


def test_export_of_an_unknown_player_says_so(db):
    with pytest.raises(CommandError, match="No player with id 999"):
        call_command("privacy", "export", "--player", "999")
