"""Players in the admin, in a real browser: the Twizzit badge, the conflict warning, re-sync."""

import pytest
from django_q.conf import Conf

from shotspot.models import Player, Team
from tests.browser.conftest import SCREENSHOT_DIR, shoot
from tests.sandbox import connect
from twizzit.models import PlayerMapping, SyncConflict, SyncLog, SyncStatus, SyncType
from twizzit.sync import run_sync


@pytest.fixture
def synced(transactional_db, sandbox):
    config = connect(sandbox)
    run_sync(config)
    return config


def test_the_badge_says_where_a_player_comes_from_and_when_it_last_synced(admin_page, synced):
    Player.objects.create(first_name="Hand", last_name="Aardvark")  # first on the page
    admin_page.goto(admin_page.url_for("/admin/shotspot/player/"))
    # The whole list fits at 1400 px: nothing is cut off or scrolled sideways.
    assert admin_page.evaluate(
        "() => { const r = document.querySelector('.results');"
        " return r.scrollWidth <= r.clientWidth; }"
    )
    admin_page.screenshot(path=str(SCREENSHOT_DIR / "players-list-badges.png"))
    badge = admin_page.locator("#result_list .twizzit-badge").first
    badge.hover()
    tooltip = badge.get_attribute("title")
    assert tooltip.startswith(f"{synced.organization_name} ({synced.organization_id}) · ")
    assert "last synced" in tooltip
    assert admin_page.locator("#result_list .manual-badge").count() == 1
    # The filters the list offers.
    sidebar = admin_page.locator("#changelist-filter").inner_text().lower()
    assert "sync source" in sidebar and "has pending conflict" in sidebar


def test_a_pending_conflict_warns_on_the_players_page_and_links_to_its_review(
    admin_page, synced, sandbox
):
    mapping = PlayerMapping.objects.filter(config=synced).order_by("twizzit_contact_id").first()
    mapping.player.jersey_number = 7
    mapping.player.save()
    sandbox.state.update_contact(mapping.twizzit_contact_id, number=12)
    run_sync(synced, SyncType.PLAYERS)
    conflict = SyncConflict.objects.get(twizzit_id=mapping.twizzit_contact_id)

    admin_page.goto(admin_page.url_for("/admin/shotspot/player/?pending_conflict=yes"))
    marker = admin_page.locator("#result_list a.conflict-marker")
    assert marker.count() == 1 and marker.inner_text() == "Pending conflict"
    admin_page.screenshot(path=str(SCREENSHOT_DIR / "players-pending-conflict-filter.png"))

    admin_page.goto(admin_page.url_for(f"/admin/shotspot/player/{mapping.player_id}/change/"))
    box = admin_page.locator(".twizzit-box")
    assert "Synced from Twizzit" in box.inner_text()
    assert str(mapping.twizzit_contact_id) in box.inner_text()
    assert admin_page.locator("select[name=sync_source]").count() == 0
    warning = box.locator(".messagelist .warning")
    assert "waits for a decision" in warning.inner_text()
    shoot(admin_page, "player-change-twizzit-box")

    warning.get_by_role("link", name=f"Review conflict #{conflict.pk}").click()
    admin_page.wait_for_url(f"**/admin/twizzit/syncconflict/{conflict.pk}/change/")
    assert admin_page.locator("h1").inner_text() == f"{mapping.player} — changed on both sides"


def test_resync_two_selected_players_from_the_list(admin_page, synced, sandbox, monkeypatch):
    # The first three players of the list's first page.
    mappings = list(
        PlayerMapping.objects.filter(config=synced)
        .select_related("player")
        .order_by("player__last_name", "player__first_name", "-player__pk")[:3]
    )
    for mapping in mappings:
        sandbox.state.update_contact(mapping.twizzit_contact_id, **{"last-name": "Browserova"})
    chosen, untouched = mappings[:2], mappings[2]
    monkeypatch.setattr(Conf, "SYNC", True)  # the queued task runs in the server's thread

    admin_page.goto(admin_page.url_for("/admin/shotspot/player/"))
    for mapping in chosen:
        admin_page.locator(f"input.action-select[value='{mapping.player_id}']").check()
    admin_page.select_option("select[name=action]", "resync_from_twizzit")
    admin_page.click("button[name=index]")
    message = admin_page.locator(".messagelist .success").inner_text()
    assert f"Re-sync of 2 players from {synced.organization_name} queued" in message
    admin_page.screenshot(path=str(SCREENSHOT_DIR / "players-resync-queued.png"))

    log = SyncLog.objects.get(sync_type=SyncType.SELECTED)
    assert log.status == SyncStatus.SUCCESS
    assert log.stats["players"]["updated"] == 2
    names = {
        m.pk: m.player.last_name
        for m in PlayerMapping.objects.filter(pk__in=[m.pk for m in mappings]).select_related(
            "player"
        )
    }
    assert [names[m.pk] for m in chosen] == ["Browserova", "Browserova"]
    assert names[untouched.pk] != "Browserova"

    admin_page.goto(admin_page.url_for(f"/admin/twizzit/synclog/{log.pk}/change/"))
    shoot(admin_page, "synclog-selected-run")


def test_teams_show_the_badge_and_their_box(admin_page, synced):
    admin_page.goto(admin_page.url_for("/admin/shotspot/team/"))
    badges = admin_page.locator("#result_list .twizzit-badge")
    assert badges.count() == Team.objects.count()
    assert "last synced" in badges.first.get_attribute("title")
    admin_page.screenshot(path=str(SCREENSHOT_DIR / "teams-list-badges.png"))
    team = Team.objects.order_by("name").first()
    admin_page.goto(admin_page.url_for(f"/admin/shotspot/team/{team.pk}/change/"))
    assert "Synced from Twizzit" in admin_page.locator(".twizzit-box").inner_text()
    admin_page.screenshot(path=str(SCREENSHOT_DIR / "team-change-twizzit-box.png"))
