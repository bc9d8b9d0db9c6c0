"""Each club sees its own, in a real browser: a club admin of A, then a federation admin."""

import pytest

from tests.access.clubs import PASSWORD, players_only_of, two_clubs
from tests.browser.conftest import SCREENSHOT_DIR, shoot
from twizzit.models import SyncConflict


@pytest.fixture
def clubs(transactional_db, sandbox, make_sandbox, django_user_model):
    return two_clubs(sandbox, make_sandbox, django_user_model)


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def test_a_club_admin_of_a_sees_only_club_a_and_the_federation_admin_sees_both(
    page, live_server, clubs
):
    b_player = players_only_of(clubs.b, clubs.a)[0]
    log_in(page, live_server, "admin_a")
    panel = page.locator("#twz-attention").inner_text()
    assert "KBKB Sandbox Club" in panel and "KC Beta" not in panel
    assert "Federation view" not in panel
    shoot(page, "club-scope-index-club-admin-a")

    page.goto(f"{live_server.url}/admin/shotspot/player/?q={b_player.last_name}")
    listed = (
        page.locator("#result_list").inner_text() if page.locator("#result_list").count() else ""
    )
    assert f"{b_player.first_name}" not in listed or b_player.last_name not in listed
    page.goto(f"{live_server.url}/admin/shotspot/player/")
    assert "KC Beta" not in page.locator("#changelist-filter").inner_text()
    page.screenshot(path=str(SCREENSHOT_DIR / "club-scope-players-club-admin-a.png"))

    page.goto(f"{live_server.url}/admin/twizzit/syncconflict/?status=all")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == SyncConflict.objects.filter(config=clubs.a).count()
    assert "KC Beta" not in page.locator("#content").inner_text()
    shoot(page, "club-scope-conflicts-club-admin-a")

    response = page.goto(f"{live_server.url}/admin/twizzit/twizzitconfig/federation/")
    assert response.status == 403

    page.context.clear_cookies()
    log_in(page, live_server, "federation")
    page.click("text=Federation view: every club's connection")
    table = page.locator("#result_list").inner_text()
    assert "KBKB Sandbox Club (1001)" in table and "KC Beta (2002)" in table
    assert page.locator("#result_list tbody tr").count() == 2
    shoot(page, "club-scope-federation-view")
