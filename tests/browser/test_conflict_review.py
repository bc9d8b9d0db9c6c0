"""Deciding conflicts in a real browser: field by field, then on to the next pending one."""

import pytest

from tests.browser.conftest import shoot
from tests.sandbox import connect
from twizzit.models import PlayerMapping, Resolution, SyncConflict, SyncType
from twizzit.sync import run_sync


@pytest.fixture
def two_conflicts(transactional_db, sandbox):
    """Two players changed on both sides: the first in three fields."""
    config = connect(sandbox)
    run_sync(config)
    first, second = PlayerMapping.objects.filter(config=config).order_by("twizzit_contact_id")[:2]
    first.player.jersey_number = 7
    first.player.email = "jana.shotspot@club.be"
    first.player.phone = "+32499111111"
    first.player.save()
    sandbox.state.update_contact(
        first.twizzit_contact_id,
        number=12,
        **{
            "email-1": {"target": None, "email": "jana.twizzit@club.be"},
            "mobile-1": {"target": None, "cc": "32", "number": "0499222222"},
        },
    )
    second.player.jersey_number = 3
    second.player.save()
    sandbox.state.update_contact(second.twizzit_contact_id, number=4)
    run_sync(config, SyncType.PLAYERS)
    return config, [
        SyncConflict.objects.get(twizzit_id=m.twizzit_contact_id) for m in (first, second)
    ]


def test_the_conflict_list_opens_on_pending_ones(admin_page, two_conflicts):
    _, conflicts = two_conflicts
    admin_page.goto(admin_page.url_for("/admin/twizzit/syncconflict/"))
    rows = admin_page.locator("#result_list tbody tr")
    assert rows.count() == 2
    text = admin_page.locator("#result_list").inner_text()
    assert str(conflicts[0].player) in text
    assert "Jersey number, Email, Phone" in text or "Email" in text
    selected = admin_page.locator("#changelist-filter li.selected").first.inner_text()
    assert selected.strip() == "Pending"
    shoot(admin_page, "conflicts-list-pending")


def test_resolving_field_by_field_and_moving_to_the_next(admin_page, two_conflicts):
    _, (first, second) = two_conflicts
    admin_page.goto(admin_page.url_for(f"/admin/twizzit/syncconflict/{first.pk}/change/"))
    assert admin_page.locator("h1").inner_text() == f"{first.player} — changed on both sides"
    assert admin_page.get_by_role("link", name="Next pending conflict →").count() == 1
    assert "Not in conflict" in admin_page.locator("#content-main").inner_text()
    shoot(admin_page, "conflict-review-field-by-field")

    admin_page.check("input[name=decide_jersey_number][value=twizzit]")
    admin_page.check("input[name=decide_email][value=shotspot]")
    admin_page.check("input[name=decide_phone][value=typed]")
    admin_page.fill("input[name=value_phone]", "not a phone at all, far too long for forty chars")
    admin_page.click("input[type=submit][value=Resolve]")
    assert admin_page.locator(".errorlist").count() >= 1
    shoot(admin_page, "conflict-review-error")
    first.refresh_from_db()
    assert first.is_pending

    admin_page.fill("input[name=value_phone]", "+32470000000")
    admin_page.click("input[type=submit][value=Resolve]")
    admin_page.wait_for_url(f"**/admin/twizzit/syncconflict/{second.pk}/change/")
    assert "resolved (Decided field by field)" in admin_page.locator(".messagelist").inner_text()
    assert admin_page.locator("h1").inner_text() == f"{second.player} — changed on both sides"
    shoot(admin_page, "conflict-review-next")

    first.refresh_from_db()
    first.player.refresh_from_db()
    assert first.resolution == Resolution.MANUAL
    assert (first.player.jersey_number, first.player.email, first.player.phone) == (
        12,
        "jana.shotspot@club.be",
        "+32470000000",
    )

    assert admin_page.get_by_role("link", name="← Previous pending conflict").count() == 0
    admin_page.goto(admin_page.url_for(f"/admin/twizzit/syncconflict/{first.pk}/change/"))
    applied = admin_page.locator("table#applied").inner_text()
    assert "Jersey number\t12" in applied
    assert "ShotSpot's value kept" in applied
    assert "+32470000000" in applied
    shoot(admin_page, "conflict-resolved-applied")


def test_a_duplicate_shows_its_candidates_side_by_side_and_links_the_chosen_one(
    admin_page, transactional_db, sandbox
):
    from shotspot.models import Player

    config = connect(sandbox)
    contact = min(sandbox.state.contacts, key=lambda c: c["id"])
    sandbox.state.update_contact(
        contact["id"], **{"email-1": {"target": None, "email": "twins@club.be"}}
    )
    one = Player.objects.create(first_name="Anna", last_name="Een", email="twins@club.be")
    Player.objects.create(first_name="Bert", last_name="Twee", email="twins@club.be")
    run_sync(config, SyncType.PLAYERS)
    conflict = SyncConflict.objects.get(twizzit_id=contact["id"])

    admin_page.goto(admin_page.url_for(f"/admin/twizzit/syncconflict/{conflict.pk}/change/"))
    assert admin_page.locator("h1").inner_text().endswith("— possible duplicate")
    header = admin_page.locator("table.conflict-table thead").inner_text()
    assert "TWIZZIT" in header.upper()
    assert f"ANNA EEN (#{one.pk})" in header.upper() and "BERT TWEE" in header.upper()
    shoot(admin_page, "conflict-duplicate-side-by-side")

    admin_page.check("input[name=resolution][value=manual]")
    admin_page.check(f"input[name=local_id][value='{one.pk}']")
    admin_page.click("input[type=submit][value=Resolve]")
    assert (
        "resolved (Link it to the player I choose)"
        in admin_page.locator(".messagelist").inner_text()
    )
    assert PlayerMapping.objects.get(twizzit_contact_id=contact["id"]).player == one
