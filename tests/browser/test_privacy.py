"""A member's personal data in the admin, in a real browser (issue 23): erase, export,
lift an erasure, and the retention page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shotspot.models import Player
from tests.browser.conftest import shoot
from tests.privacy_data import MEMBER, SECRETS, hits_in_tables, plant_member
from tests.sandbox import connect
from twizzit.models import ErasedContact
from twizzit.services.privacy.erasure import erase_player
from twizzit.sync import run_sync


@pytest.fixture
def planted(admin_page, transactional_db, sandbox, admin_user_for_browser):
    config = connect(sandbox)
    player, contact_id = plant_member(config, sandbox, admin_user_for_browser)
    return config, player, contact_id


def test_admin_erases_a_member_after_a_confirmation_that_lists_everything_that_goes(
    admin_page, planted
):
    config, player, contact_id = planted
    admin_page.goto(admin_page.url_for(f"/admin/shotspot/player/?q={MEMBER['last_name']}"))
    admin_page.check(f"input[name=_selected_action][value='{player.pk}']")
    admin_page.select_option("select[name=action]", "erase_personal_data")
    admin_page.click("button[name=index]")

    admin_page.wait_for_selector("text=Erase personal data: are you sure?")
    content = admin_page.locator("#content").inner_text()
    assert f"{MEMBER['first_name']} {MEMBER['last_name']}" in content
    assert "1 roster entry." in content
    assert f"The link to Twizzit contact {contact_id} of {config.organization_name}" in content
    assert "2 pending, closed as “erased on request”" in content
    assert "The club must also remove the member in Twizzit itself" in content
    shoot(admin_page, "privacy-erase-confirmation")

    admin_page.click("input[type=submit][value='Yes, erase this person']")

    messages = admin_page.locator(".messagelist").inner_text()
    assert "Erased 1 player and every copy of their personal data." in messages
    assert (
        f"Twizzit contact {contact_id} of {config.organization_name} will not be imported again"
        in messages
    )
    shoot(admin_page, "privacy-erased-message")
    assert not Player.objects.filter(pk=player.pk).exists()
    assert hits_in_tables(SECRETS) == {}


def test_taking_back_the_confirmation_erases_nothing(admin_page, planted):
    _config, player, _contact_id = planted
    admin_page.goto(admin_page.url_for(f"/admin/shotspot/player/?q={MEMBER['last_name']}"))
    admin_page.check(f"input[name=_selected_action][value='{player.pk}']")
    admin_page.select_option("select[name=action]", "erase_personal_data")
    admin_page.click("button[name=index]")
    admin_page.click("text=No, take me back")
    admin_page.wait_for_url("**/admin/shotspot/player/**")
    assert Player.objects.filter(pk=player.pk).exists()


def test_download_personal_data_from_the_players_page(admin_page, planted):
    _config, player, contact_id = planted
    admin_page.goto(admin_page.url_for(f"/admin/shotspot/player/{player.pk}/change/"))
    link = admin_page.locator("a", has_text="Download personal data")
    shoot(admin_page, "privacy-player-download-button")
    with admin_page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == f"personal-data-player-{player.pk}.json"
    document = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert document["player"]["last_name"]["value"] == MEMBER["last_name"]
    assert document["twizzit_links"][0]["twizzit_contact_id"] == contact_id


def test_admin_lifts_an_erasure_and_the_next_sync_imports_the_member_again(admin_page, planted):
    config, player, contact_id = planted
    erase_player(player)
    skipped = run_sync(config)
    admin_page.goto(admin_page.url_for(f"/admin/twizzit/synclog/{skipped.pk}/change/"))
    note = admin_page.locator("#twz-counts .twz-note").inner_text()
    assert note == "1 Twizzit contact not imported: erased on request (erased contacts)."
    shoot(admin_page, "privacy-sync-log-erased")
    admin_page.click("#twz-counts .twz-note a")
    admin_page.wait_for_url("**/admin/twizzit/erasedcontact/")
    assert str(contact_id) in admin_page.locator("#result_list").inner_text()
    shoot(admin_page, "privacy-erased-contacts")
    admin_page.check("input[name=_selected_action]")
    admin_page.select_option("select[name=action]", "lift")
    admin_page.click("button[name=index]")
    assert "1 contact will be imported again" in admin_page.locator(".messagelist").inner_text()
    assert not ErasedContact.objects.exists()

    run_sync(config)
    assert Player.objects.filter(last_name=MEMBER["last_name"]).count() == 1


def test_retention_page_shows_the_settings_in_force(admin_page, transactional_db, sandbox):
    config = connect(sandbox)
    config.anonymise_archived_after_months = 24
    config.save()
    admin_page.goto(admin_page.url_for("/admin/twizzit/erasedcontact/"))
    admin_page.click("text=Retention of personal data")
    text = admin_page.locator("#content").inner_text()
    assert "Sync-log entries and planned changes (the run and its counts stay)\t90 days" in text
    assert "Stored values of decided conflicts (the decision stays)\t180 days" in text
    assert "Text of sent e-mails (recipients, subject and date stay)\t90 days" in text
    assert "Results of background tasks that succeeded\t30 days" in text
    assert f"{config}\t24 months archived" in text
    shoot(admin_page, "privacy-retention")
