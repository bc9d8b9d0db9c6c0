"""`manage.py privacy erase|lift` (issue 23): the same erasure as the admin's, from a shell."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shotspot.models import Player
from tests.privacy_data import SECRETS, hits_in_tables, plant_member
from tests.sandbox import connect
from twizzit.models import ErasedContact

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def config(sandbox, admin_user):
    return connect(sandbox)


def test_erase_lists_what_goes_and_without_yes_or_a_terminal_erases_nothing(
    config, sandbox, admin_user, monkeypatch
):
    player, contact_id = plant_member(config, sandbox, admin_user)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    out = StringIO()

    with pytest.raises(CommandError, match="Nothing erased: confirm with --yes"):
        call_command("privacy", "erase", "--player", str(player.pk), stdout=out)

    text = out.getvalue()
    assert f"The link to Twizzit contact {contact_id} of {config.organization_name}" in text
    assert "Remove the member in Twizzit too" in text
    assert Player.objects.filter(pk=player.pk).exists()


def test_erase_with_yes_removes_every_copy_and_lift_lets_the_contact_back(
    config, sandbox, admin_user
):
    player, contact_id = plant_member(config, sandbox, admin_user)
    out = StringIO()

    call_command("privacy", "erase", "--player", str(player.pk), "--yes", stdout=out)

    assert f"Erased player {player.pk}." in out.getvalue()
    assert f"Twizzit contact {contact_id} of {config.organization_name} will not" in out.getvalue()
    assert hits_in_tables(SECRETS) == {}
    org = str(config.organization_id)
    call_command("privacy", "lift", "--org", org, "--contact", str(contact_id), stdout=out)
    assert not ErasedContact.objects.exists()
    with pytest.raises(CommandError, match=f"Contact {contact_id} of .* is not erased"):
        call_command("privacy", "lift", "--org", org, "--contact", str(contact_id))


def test_erase_of_an_unknown_player_says_so(db):
    with pytest.raises(CommandError, match="No player with id 424242"):
        call_command("privacy", "erase", "--player", "424242", "--yes")
