"""A refused Twizzit value in a real browser: the note beside the field, the list filter,
and an internationalised address (RFC 6531) that the admin saves as typed."""

import pytest

from shotspot.models import Player
from tests.browser.conftest import shoot
from tests.sandbox import connect
from twizzit.models import PlayerMapping
from twizzit.sandbox.data import FIRST_MESSY_CONTACT_ID
from twizzit.sandbox.messy import KINDS
from twizzit.sync import run_sync

BAD_EMAIL = FIRST_MESSY_CONTACT_ID + next(
    offset for offset, kind in enumerate(KINDS) if kind.name == "e-mail with a comma for a dot"
)


@pytest.fixture
def synced(transactional_db, make_sandbox):
    server = make_sandbox(seed=1, contacts=300, groups=24, messy=True)
    config = connect(server)
    run_sync(config)
    return config


def test_the_players_page_says_beside_the_field_that_twizzits_email_was_refused(admin_page, synced):
    mapping = PlayerMapping.objects.get(twizzit_contact_id=BAD_EMAIL)

    admin_page.goto(admin_page.url_for(f"/admin/shotspot/player/{mapping.player_id}/change/"))

    note = "Twizzit's e-mail for this player was refused: not a valid address."
    beside = admin_page.locator(".form-row.field-email .help").inner_text()
    assert note in beside
    assert admin_page.locator("#id_email").input_value() == ""
    box = admin_page.locator(".twizzit-box .twizzit-refused").inner_text()
    assert note in box
    assert "jan,de.smet" not in admin_page.content()  # never the refused value
    shoot(admin_page, "player-refused-email")


def test_the_players_list_filters_on_refused_twizzit_values(admin_page, synced):
    admin_page.goto(admin_page.url_for("/admin/shotspot/player/"))
    sidebar = admin_page.locator("#changelist-filter")
    assert "Twizzit values refused" in sidebar.inner_text()

    sidebar.get_by_role("link", name="Yes").last.click()

    admin_page.wait_for_url("**twizzit_refused=yes**")
    refused = PlayerMapping.objects.exclude(refused={}).count()
    assert refused == sum(kind.outcome not in ("kept", "first kept") for kind in KINDS)
    assert admin_page.locator("#result_list tbody tr").count() == refused
    shoot(admin_page, "players-refused-filter")


def test_an_internationalised_address_is_saved_in_the_admin_as_typed(admin_page, synced):
    player = Player.objects.create(first_name="José", last_name="Maes")
    admin_page.goto(admin_page.url_for(f"/admin/shotspot/player/{player.pk}/change/"))

    admin_page.fill("#id_email", "  jösé.maes@exämple.be ")
    admin_page.click("input[name=_save]")

    admin_page.wait_for_url("**/admin/shotspot/player/")
    player.refresh_from_db()
    assert player.email == "jösé.maes@exämple.be"


def test_the_cockpit_counts_the_players_with_a_refused_value_and_links_to_them(admin_page, synced):
    admin_page.goto(admin_page.url_for(f"/admin/twizzit/twizzitconfig/{synced.pk}/change/"))

    line = admin_page.locator("#twz-refused")
    refused = sum(kind.outcome not in ("kept", "first kept") for kind in KINDS)
    assert line.inner_text().startswith(f"{refused} players with a Twizzit value refused")
    shoot(admin_page, "cockpit-refused")
    line.get_by_role("link").click()

    admin_page.wait_for_url("**/admin/shotspot/player/?twizzit_refused=yes")
    assert admin_page.locator("#result_list tbody tr").count() == refused
