"""The admin cockpit without a browser: what each button does, refuses and shows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shotspot.models import Player
from tests.admin_data import make_conflict
from tests.task_queue import own_queue, purge_queue, run_task, take_queued_tasks
from twizzit.models import ApiUsage, PlayerMapping, SyncLog, SyncStatus, TwizzitConfig
from twizzit.models.usage import month_of, today
from twizzit.sync import run_sync
from twizzit.sync.runs import claim, create_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture(autouse=True)
def task_queue(monkeypatch):
    own_queue(monkeypatch)
    yield
    purge_queue()


def cockpit(config) -> str:
    return reverse("admin:twizzit_twizzitconfig_change", args=[config.pk])


def sync_url(config, slug: str) -> str:
    return reverse("admin:twizzit_twizzitconfig_sync", args=[config.pk, slug])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_the_cockpit_has_the_six_buttons_and_the_status_panel(admin_client, sandbox_config):
    html = admin_client.get(cockpit(sandbox_config)).content.decode()
    for label in (
        "Test connection",
        "Sync players",
        "Sync teams",
        "Sync rosters",
        "Full sync",
        "Preview changes",
    ):
        assert f">{label}<" in html, label
    for panel in ("twz-running", "twz-last", "twz-quota", "twz-next", "twz-health"):
        assert f'id="{panel}"' in html
    assert "not tested yet" in html


def test_test_connection_reports_each_endpoint_and_remembers_the_outcome(
    admin_client, sandbox, sandbox_config
):
    response = admin_client.post(
        reverse("admin:twizzit_twizzitconfig_test", args=[sandbox_config.pk]), follow=True
    )
    text = visible_text(response.content.decode())
    assert "Connection test: passed" in text
    for row in ("Credentials accepted", "Seasons readable", "Groups readable", "Contacts readable"):
        assert re.search(rf"{row}\s+✔ yes", text), row
    assert re.search(r"API calls spent\s+5", text)
    sandbox_config.refresh_from_db()
    assert sandbox_config.credentials_ok is True
    assert sandbox_config.credentials_checked_at is not None
    assert sandbox.password not in response.content.decode()


def test_a_sync_button_asks_first_then_queues_an_admin_run_that_a_worker_completes(
    admin_client, admin_user, sandbox, sandbox_config, django_capture_on_commit_callbacks
):
    confirm = admin_client.get(sync_url(sandbox_config, "players"))
    assert "Cost in Twizzit calls" in confirm.content.decode()
    assert not SyncLog.objects.exists()  # asking costs nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(sync_url(sandbox_config, "players"), follow=True)

    log = SyncLog.objects.get()
    assert (log.sync_type, log.status, log.trigger, log.triggered_by) == (
        "players",
        "pending",
        "admin",
        admin_user,
    )
    assert response.redirect_chain[-1][0] == cockpit(sandbox_config)
    assert f"Players sync #{log.pk} of" in messages_of(response)[0]
    assert 'data-active="1"' in response.content.decode()  # the panel follows it
    [task] = take_queued_tasks()
    run_task(task)
    log.refresh_from_db()
    assert log.status == SyncStatus.SUCCESS
    panel = admin_client.get(
        reverse("admin:twizzit_twizzitconfig_panel", args=[sandbox_config.pk])
    ).content.decode()
    assert 'data-active="0"' in panel
    assert re.search(r"Players</th>\s*<td>300</td>", panel)  # created


def test_preview_changes_queues_a_dry_run(admin_client, sandbox_config):
    admin_client.post(sync_url(sandbox_config, "full-preview"))
    log = SyncLog.objects.get()
    assert (log.sync_type, log.dry_run) == ("full", True)


@pytest.mark.parametrize(
    ("situation", "expected"),
    [
        ("running", "already in progress"),
        ("disabled", "Sync is disabled"),
        ("quota", "monthly Twizzit call limit"),
    ],
)
def test_a_sync_that_cannot_start_says_why_and_starts_nothing(
    admin_client, sandbox_config, situation, expected
):
    before = SyncLog.objects.count()
    if situation == "running":
        running = create_run(sandbox_config, "full", dry_run=False, trigger="api", user=None)
        assert claim(sandbox_config, running)
        before += 1
    elif situation == "disabled":
        TwizzitConfig.objects.filter(pk=sandbox_config.pk).update(sync_enabled=False)
    else:
        ApiUsage.objects.create(
            config=sandbox_config,
            month=month_of(today()),
            calls=sandbox_config.monthly_call_limit,
        )

    response = admin_client.post(sync_url(sandbox_config, "full"), follow=True)

    [message] = messages_of(response)
    assert message.startswith("Nothing started:")
    assert expected in message
    assert SyncLog.objects.count() == before


def test_cancel_stops_a_pending_run_at_once(admin_client, sandbox_config):
    admin_client.post(sync_url(sandbox_config, "full"))
    log = SyncLog.objects.get()
    response = admin_client.post(
        reverse("admin:twizzit_twizzitconfig_cancel", args=[sandbox_config.pk, log.pk]),
        follow=True,
    )
    log.refresh_from_db()
    assert log.status == SyncStatus.CANCELLED
    assert messages_of(response)[-1] == f"Sync #{log.pk} was cancelled."


def test_the_panel_is_for_staff_only(client, sandbox_config):
    url = reverse("admin:twizzit_twizzitconfig_panel", args=[sandbox_config.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_adding_a_connection_lands_on_its_cockpit_asking_for_a_test(admin_client, sandbox):
    response = admin_client.post(
        reverse("admin:twizzit_twizzitconfig_add"),
        {
            "organization_id": sandbox.organization_id,
            "organization_name": "KC Nieuw",
            "api_base_url": sandbox.url,
            "api_username": sandbox.username,
            "api_password": sandbox.password,
            "sync_enabled": "on",
            "auto_sync_frequency": "manual",
            "sync_players": "on",
            "sync_teams": "on",
            "sync_rosters": "on",
            "season_scope": "current",
            "conflict_policy": "manual",
            "role_overrides": "{}",
            "monthly_call_limit": 500,
            # The "Club roles" table's management form (an empty inline formset).
            "access-TOTAL_FORMS": 0,
            "access-INITIAL_FORMS": 0,
            "_save": "Save",
        },
        follow=True,
    )
    config = TwizzitConfig.objects.get(organization_id=sandbox.organization_id)
    assert response.redirect_chain[-1][0] == cockpit(config)
    assert "not tested yet" in messages_of(response)[0]
    assert "manual only" in response.content.decode()


def test_the_list_actions_test_and_sync_the_selected_connections(
    admin_client, sandbox, sandbox_config
):
    url = reverse("admin:twizzit_twizzitconfig_changelist")
    tested = admin_client.post(
        url, {"action": "test_selected", "_selected_action": [sandbox_config.pk]}, follow=True
    )
    assert "Twizzit accepted the credentials" in messages_of(tested)[0]
    synced = admin_client.post(
        url, {"action": "full_sync_selected", "_selected_action": [sandbox_config.pk]}, follow=True
    )
    assert "Full sync #" in messages_of(synced)[0]
    assert SyncLog.objects.get().trigger == "admin"


def test_a_sync_log_reads_as_tables_without_raw_json(admin_client, sandbox, sandbox_config):
    sandbox.state.fail("contacts", status=500, times=10)
    log = run_sync(sandbox_config)
    assert log.status == SyncStatus.PARTIAL
    html = admin_client.get(reverse("admin:twizzit_synclog_change", args=[log.pk]))
    text = visible_text(html.content.decode())
    assert "Counts per entity" in text
    assert "Errors and warnings" in text
    assert "players stopped" in text
    assert "{" not in text and "[" not in text  # no JSON, no Python reprs
    assert re.search(r"Duration\s+\d+\.\d s", text)

    changelist = admin_client.get(reverse("admin:twizzit_synclog_changelist"))
    assert changelist.context["cl"].list_per_page == 20
    assert "Partial" in changelist.content.decode()


def test_api_usage_shows_calls_against_the_limit_and_cannot_be_deleted(
    admin_client, sandbox_config
):
    usage = ApiUsage.objects.create(config=sandbox_config, month=month_of(today()), calls=2500)
    TwizzitConfig.objects.filter(pk=sandbox_config.pk).update(monthly_call_limit=10000)
    html = admin_client.get(reverse("admin:twizzit_apiusage_changelist")).content.decode()
    assert "25.0 %" in html
    assert ">10000<" in html
    response = admin_client.get(reverse("admin:twizzit_apiusage_delete", args=[usage.pk]))
    assert response.status_code == 403


def test_the_index_says_all_is_well_or_what_needs_attention(admin_client, sandbox, sandbox_config):
    admin_client.post(reverse("admin:twizzit_twizzitconfig_test", args=[sandbox_config.pk]))
    run_sync(sandbox_config)
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert "All is well" in index
    assert "ShotSpot administration" in index

    make_conflict(sandbox_config, sandbox)
    run_sync(sandbox_config)
    stuck = create_run(sandbox_config, "players", dry_run=False, trigger="api", user=None)
    SyncLog.objects.filter(pk=stuck.pk).update(
        status=SyncStatus.RUNNING, heartbeat_at=timezone.now() - timedelta(hours=2)
    )
    text = visible_text(admin_client.get(reverse("admin:index")).content.decode())
    assert "1 pending conflict" in text
    assert f"Sync #{stuck.pk} looks stuck" in text


def test_api_docs_are_served_from_this_project(client):
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html


def test_an_error_entry_links_to_the_shotspot_row_it_concerns(
    admin_client, sandbox, sandbox_config
):
    run_sync(sandbox_config)
    mapping = PlayerMapping.objects.filter(config=sandbox_config).order_by("pk").first()
    log = SyncLog.objects.create(
        config=sandbox_config,
        sync_type="players",
        status=SyncStatus.PARTIAL,
        errors=[
            {
                "entity": "players",
                "twizzit_id": mapping.twizzit_contact_id,
                "message": "Date of birth is not a date",
                "level": "error",
            },
            {"entity": "players", "twizzit_id": 424242, "message": "Unknown", "level": "error"},
        ],
    )
    html = admin_client.get(reverse("admin:twizzit_synclog_change", args=[log.pk])).content
    player_url = reverse("admin:shotspot_player_change", args=[mapping.player_id])
    assert f'<a href="{player_url}">{mapping.twizzit_contact_id}</a>' in html.decode()
    assert "<td>424242</td>" in html.decode()  # no mapped row: no link


def test_a_tested_connection_can_be_deleted_in_the_admin_its_players_stay(
    admin_client, sandbox, sandbox_config
):
    # Test connection spends calls, so the connection has a row of the call meter, which
    # nobody may delete by hand: it must go with the connection, not block its deletion.
    admin_client.post(reverse("admin:twizzit_twizzitconfig_test", args=[sandbox_config.pk]))
    assert ApiUsage.objects.get(config=sandbox_config).calls > 0
    Player.objects.create(first_name="Jana", last_name="De Smet")
    url = reverse("admin:twizzit_twizzitconfig_delete", args=[sandbox_config.pk])
    page = admin_client.get(url).content.decode()
    assert "Are you sure" in page
    assert "permission to delete" not in page
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not TwizzitConfig.objects.filter(pk=sandbox_config.pk).exists()
    assert not ApiUsage.objects.filter(config_id=sandbox_config.pk).exists()
    assert Player.objects.filter(last_name="De Smet").exists()
