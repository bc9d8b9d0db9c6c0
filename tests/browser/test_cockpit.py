"""The club admin drives the sync from the connection's cockpit, in a real browser.

A live server serves the admin; syncs queued by its buttons are run by a worker thread
of the test process (`tests.task_queue.BackgroundWorker`) over HTTP against the sandbox,
on the test database. The sandbox's latency makes a sync last long enough to watch.
"""

from __future__ import annotations

import re
import time

import pytest

from shotspot.models import Player
from tests.admin_data import make_conflict
from tests.browser.conftest import shoot
from tests.task_queue import BackgroundWorker, own_queue, purge_queue
from twizzit.models import PlayerMapping, SyncLog, SyncStatus, TwizzitConfig
from twizzit.sandbox import ORGANIZATION_NAME
from twizzit.services.connections import create_connection
from twizzit.sync import run_sync


@pytest.fixture
def worker(monkeypatch):
    own_queue(monkeypatch)
    worker = BackgroundWorker().start()
    yield worker
    worker.stop()
    purge_queue()
    assert not worker.errors, worker.errors


def cockpit_url(page, config) -> str:
    return page.url_for(f"/admin/twizzit/twizzitconfig/{config.pk}/change/")


def wait_for_run_to_end(config, timeout: float = 60) -> SyncLog:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = SyncLog.objects.filter(config=config).order_by("-created_at", "-id").first()
        if log is not None and not log.is_active:
            return log
        time.sleep(0.2)
    raise AssertionError("the sync did not finish in time")


def start_from_button(page, label: str) -> None:
    page.get_by_role("link", name=label, exact=True).click()
    page.locator("#twz-confirm").click()
    page.wait_for_url(re.compile(r"/change/$"))


def test_a_new_connection_to_the_sandbox_lands_on_its_cockpit_and_passes_the_test(
    admin_page, sandbox
):
    page = admin_page
    page.goto(page.url_for("/admin/twizzit/twizzitconfig/add/"))
    page.fill("#id_organization_id", str(sandbox.organization_id))
    page.fill("#id_organization_name", ORGANIZATION_NAME)
    page.fill("#id_api_base_url", sandbox.url)
    page.fill("#id_api_username", sandbox.username)
    page.fill("#id_api_password", sandbox.password)
    page.click("input[name=_save]")

    page.wait_for_url(re.compile(r"/change/$"))
    assert "not tested yet" in page.locator("#twz-untested").inner_text()
    shoot(page, "cockpit-new-connection")

    page.get_by_role("button", name="Test connection").click()
    report = page.locator("#twz-report")
    assert "Connection test: passed" in report.inner_text()
    rows = {
        row.locator("th").inner_text(): row.locator("td").inner_text()
        for row in report.locator("tr").all()
    }
    assert rows["Credentials accepted"] == "✔ yes"
    assert rows[f"Organisation {sandbox.organization_id} readable"] == "✔ yes"
    assert rows["Contacts readable"] == "✔ yes"
    assert int(rows["API calls spent"]) == 5  # a login, the organisations, three probes
    assert page.locator("#twz-untested").count() == 0
    assert sandbox.password not in page.content()
    shoot(page, "cockpit-test-passed")


def test_a_wrong_password_fails_the_test_in_one_sentence_without_showing_it(admin_page, sandbox):
    wrong = "Not-The-Sandbox-Pa55"
    config = create_connection(
        password=wrong,
        organization_id=sandbox.organization_id,
        organization_name=ORGANIZATION_NAME,
        api_base_url=sandbox.url,
        api_username=sandbox.username,
    )
    page = admin_page
    page.goto(cockpit_url(page, config))
    page.get_by_role("button", name="Test connection").click()

    report = page.locator("#twz-report")
    assert "Connection test: failed" in report.inner_text()
    assert "Connection test failed:" in page.locator(".messagelist").inner_text()
    assert report.locator("tr", has_text="Credentials accepted").locator("td").inner_text() == (
        "✘ no"
    )
    assert wrong not in page.content()
    shoot(page, "cockpit-test-failed")
    config.refresh_from_db()
    assert config.credentials_ok is False


def test_a_full_sync_started_from_the_button_shows_its_progress_live_then_its_counts(
    admin_page, sandbox, sandbox_config, worker
):
    sandbox.state.set_latency(500)
    page = admin_page
    page.goto(cockpit_url(page, sandbox_config))
    page.evaluate("window.notReloaded = true")
    page.get_by_role("link", name="Full sync", exact=True).click()
    assert "Cost in Twizzit calls" in page.locator("#content-main").inner_text()
    shoot(page, "confirm-full-sync")
    page.locator("#twz-confirm").click()
    page.wait_for_url(re.compile(r"/change/$"))
    page.evaluate("window.notReloaded = true")

    seen = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        running = page.locator("#twz-running").inner_text()
        if running not in seen:
            seen.append(running)
            if len(seen) == 3:
                shoot(page, "cockpit-sync-running")
        if "No sync is running" in running and len(seen) > 1:
            break
        time.sleep(0.3)
    # The panel changed by itself, several times, without the page being reloaded.
    progress_states = [text for text in seen if "Phase" in text]
    assert len(progress_states) >= 2, seen
    assert any("Running" in text for text in progress_states), seen
    assert page.evaluate("window.notReloaded") is True

    last = page.locator("#twz-last")
    assert "Success" in last.inner_text()
    players_row = last.locator("tr", has_text="Players").locator("td").all_inner_texts()
    assert players_row[0] == str(len(sandbox.state.contacts))  # created
    assert Player.objects.count() == len(sandbox.state.contacts)
    log = SyncLog.objects.get(config=sandbox_config)
    assert (log.trigger, log.triggered_by.username) == ("admin", "browser-admin")
    shoot(page, "cockpit-sync-finished")

    page.locator("#twz-last a").first.click()
    counts = page.locator("#twz-counts")
    assert "Players" in counts.inner_text()
    assert "{" not in page.locator("#content-main").inner_text()  # no raw JSON
    shoot(page, "synclog-detail")


def test_a_preview_lists_the_planned_changes_and_applying_them_syncs_for_real(
    admin_page, sandbox, sandbox_config, worker
):
    run_sync(sandbox_config)
    mapping = PlayerMapping.objects.filter(config=sandbox_config).order_by("pk").first()
    sandbox.state.update_contact(mapping.twizzit_contact_id, **{"last-name": "Previewed"})
    page = admin_page
    page.goto(cockpit_url(page, sandbox_config))

    start_from_button(page, "Preview changes")
    preview = wait_for_run_to_end(sandbox_config)
    assert (preview.dry_run, preview.status) == (True, SyncStatus.SUCCESS)
    page.goto(page.url_for(f"/admin/twizzit/synclog/{preview.pk}/change/"))
    planned = page.locator("#twz-planned")
    row = planned.locator("tr", has_text=str(mapping.twizzit_contact_id))
    assert "Update" in row.inner_text()
    assert "→ Previewed" in row.inner_text()
    mapping.player.refresh_from_db()
    assert mapping.player.last_name != "Previewed"  # a preview writes nothing
    shoot(page, "synclog-preview")

    page.get_by_role("link", name="Apply these changes").click()
    page.locator("#twz-confirm").click()
    page.wait_for_url(re.compile(r"/change/$"))
    applied = wait_for_run_to_end(sandbox_config)
    assert (applied.dry_run, applied.status, applied.sync_type) == (False, "success", "full")
    mapping.player.refresh_from_db()
    assert mapping.player.last_name == "Previewed"


def test_a_conflict_shows_on_the_admin_index_and_its_link_opens_the_filtered_list(
    admin_page, sandbox, sandbox_config
):
    run_sync(sandbox_config)
    make_conflict(sandbox_config, sandbox)
    run_sync(sandbox_config)
    other = create_connection(
        password="x-pass",
        organization_id=999,
        organization_name="KC Elsewhere",
        api_base_url="https://app.twizzit.com",
        api_username="else",
    )
    page = admin_page
    page.goto(page.url_for("/admin/"))
    assert page.locator("#site-name").inner_text() == "ShotSpot administration"
    panel = page.locator("#twz-attention")
    assert "1 pending conflict" in panel.inner_text()
    shoot(page, "admin-index-attention")

    panel.get_by_role("link", name="1 pending conflict").click()
    page.wait_for_url(re.compile(r"/syncconflict/"))
    page.locator("#result_list").wait_for()
    assert f"config__id__exact={sandbox_config.pk}" in page.url
    assert "resolution__exact=pending" in page.url
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert "Changed on both sides" in rows.first.inner_text()
    assert TwizzitConfig.objects.filter(pk=other.pk).exists()  # listed apart, not filtered in


def test_the_quota_bar_and_the_sync_health_chart_render(admin_page, sandbox, sandbox_config):
    run_sync(sandbox_config)
    sandbox.state.fail("contacts", status=500, times=10)
    run_sync(sandbox_config)
    spent = SyncLog.objects.filter(config=sandbox_config).values_list("api_calls", flat=True)
    TwizzitConfig.objects.filter(pk=sandbox_config.pk).update(monthly_call_limit=sum(spent) + 2)
    page = admin_page
    page.goto(cockpit_url(page, sandbox_config))

    quota = page.locator("#twz-quota")
    assert f"{sum(spent)} / {sum(spent) + 2}" in quota.inner_text()
    assert quota.locator(".twz-bar.twz-high").count() == 1
    assert "the rest of the month allows 0 more" in quota.inner_text()
    bars = page.locator("#twz-health rect.twz-run-bar")
    assert bars.count() == 2
    statuses = [bars.nth(i).get_attribute("data-status") for i in range(2)]
    assert statuses == ["success", "partial"]
    assert page.locator("#twz-health rect.twz-month-bar").count() == 6
    shoot(page, "cockpit-quota-chart")

    page.goto(page.url_for("/admin/"))
    attention = page.locator("#twz-attention").inner_text()
    assert "Twizzit calls spent this month" in attention
    assert "was partial" in attention
