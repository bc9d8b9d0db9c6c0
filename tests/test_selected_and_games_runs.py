"""Selected-records runs and games runs on the screens and mails built for full syncs.

Over real HTTP against the sandbox: the sync log says which players and teams a
selected run was for, in names; a games run's counts show games on the sync log, the
cockpit, `twizzit_status` and the REST status; the "Sync games" confirmation tells the
cost of a games sync, not of a full one; and a few selected records syncing fine is not
"back to normal" while the connection's syncs fail.
"""

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from tests.sandbox import connect
from twizzit.models import (
    EventMapping,
    Notification,
    PlayerMapping,
    SyncLog,
    SyncStatus,
    SyncType,
    TeamMapping,
)
from twizzit.services.attention import LAST_RUN_FAILED, needs_attention
from twizzit.services.resync import resync_mappings
from twizzit.sync import run_sync
from twizzit.sync.runs import claim, create_run

UNKNOWN_CONTACT = 987_654


@pytest.fixture
def config(db, sandbox, early_in_season):
    return connect(sandbox, notify_emails="ops@club.be")


@pytest.fixture
def logged_in(client, admin_user):
    client.force_login(admin_user)
    return client


def log_page(client, log) -> str:
    return client.get(reverse("admin:twizzit_synclog_change", args=[log.pk])).content.decode()


def test_a_selected_runs_log_names_its_players_and_teams_not_their_ids(logged_in, config):
    run_sync(config)
    players = list(PlayerMapping.objects.filter(config=config).order_by("pk")[:2])
    team = TeamMapping.objects.filter(config=config).first()
    selection = {
        "contact_ids": [m.twizzit_contact_id for m in players] + [UNKNOWN_CONTACT],
        "group_ids": [team.twizzit_group_id],
    }
    log = run_sync(config, SyncType.SELECTED, selection=selection)

    html = log_page(logged_in, log)
    assert "Selected: Players (3)" in html
    assert f"{players[0].player}, {players[1].player}" in html
    assert f"Twizzit contact {UNKNOWN_CONTACT} (not in ShotSpot)" in html
    assert f"Selected: Teams (1)</th><td>{team.team}</td>" in html
    assert "contact_ids" not in html and "group_ids" not in html


def test_a_games_runs_counts_show_games_on_the_log_the_cockpit_the_cli_and_the_api(
    logged_in, config, admin_user, capsys
):
    run_sync(config, SyncType.TEAMS)
    log = run_sync(config, SyncType.GAMES)
    created = log.stats["games"]["created"]
    assert log.status == SyncStatus.SUCCESS and created > 100

    row = f'<th scope="row">Games</th><td>{log.stats["games"]["fetched"]}</td><td>{created}</td>'
    assert row in log_page(logged_in, log)
    cockpit = reverse("admin:twizzit_twizzitconfig_change", args=[config.pk])
    panel_row = f'<th scope="row">Games</th><td>{created}</td>'  # the panel shows no "fetched"
    assert panel_row in logged_in.get(cockpit).content.decode()

    call_command("twizzit_status", "--org", str(config.organization_id))
    assert f"games: {created} created" in capsys.readouterr().out
    api = APIClient()
    api.force_authenticate(admin_user)
    status = api.get(f"/api/twizzit/connections/{config.pk}/status/").json()
    assert status["last_sync"]["sync_type"] == "games"
    assert status["last_sync"]["stats"]["games"]["created"] == created


def test_the_sync_games_confirmation_tells_the_cost_of_a_games_sync(logged_in, config):
    confirm = reverse("admin:twizzit_twizzitconfig_sync", args=[config.pk, "games"])
    full = run_sync(config)
    html = logged_in.get(confirm).content.decode()
    assert f"not known yet for a games sync; fewer than a full sync's {full.api_calls}" in html

    games = run_sync(config, SyncType.GAMES)
    assert games.api_calls < full.api_calls
    html = logged_in.get(confirm).content.decode()
    assert f"about {games.api_calls} calls (the last games sync spent {games.api_calls})" in html


def test_a_selected_run_that_succeeds_is_no_way_back_to_normal(committed, config, sandbox):
    contact = min(c["id"] for c in sandbox.state.contacts)
    committed(run_sync, config)
    sandbox.state.fail("events", status=500, times=50)  # the games phase fails, nothing else
    failed = committed(run_sync, config)
    assert failed.status in (SyncStatus.PARTIAL, SyncStatus.FAILED)

    few = committed(run_sync, config, SyncType.SELECTED, selection={"contact_ids": [contact]})
    assert few.status == SyncStatus.SUCCESS
    assert not Notification.objects.filter(kind="recovered").exists()
    [finding] = [f for c in needs_attention() for f in c.findings if f.kind == LAST_RUN_FAILED]
    assert finding.sync_log_id == failed.pk

    sandbox.state.reset()
    back = committed(run_sync, config)
    assert back.status == SyncStatus.SUCCESS
    assert Notification.objects.get(kind="recovered").sync_log == back
    assert mail.outbox[-1].subject.endswith("syncs are back to normal")
    assert not [f for c in needs_attention() for f in c.findings if f.kind == LAST_RUN_FAILED]


def test_event_mappings_are_not_re_synced_as_if_they_were_teams(config):
    run_sync(config)
    events = list(EventMapping.objects.filter(config=config)[:2])
    assert events
    before = SyncLog.objects.count()
    with pytest.raises(TypeError, match="EventMapping"):
        resync_mappings(events)
    assert SyncLog.objects.count() == before


def test_a_running_selected_runs_progress_counts_its_own_phases(logged_in, config):
    log = create_run(
        config,
        SyncType.SELECTED,
        dry_run=False,
        trigger="api",
        user=None,
        selection={"contact_ids": [1], "group_ids": [2]},
    )
    assert claim(config, log)
    log.progress = {"phase": "players", "processed": {"teams": 1}}
    log.save(update_fields=["progress"])
    html = log_page(logged_in, log)
    assert "players (2 of 3)" in html
    assert "Teams: 1 records · Players: 0 records · Rosters: 0 records" in html
