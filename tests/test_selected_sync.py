"""Re-syncing selected records over real HTTP against the sandbox Twizzit (issue 10)."""

from collections import Counter

import pytest
from django.core.management import call_command

from shotspot.models import Player, Team, TeamMembership
from tests.sandbox import connect
from twizzit.connection.gateway import client_for
from twizzit.models import (
    ConflictType,
    PlayerMapping,
    Resolution,
    SyncConflict,
    SyncLog,
    SyncStatus,
    SyncType,
    TeamMapping,
)
from twizzit.services.jobs import enqueue_sync
from twizzit.sync import SyncInProgress, run_sync
from twizzit.sync.selected import SelectionError, clean_selection


@pytest.fixture
def config(db, sandbox):
    return connect(sandbox)


@pytest.fixture
def synced(config, sandbox):
    run_sync(config)
    config.refresh_from_db()
    return config


def contacts(sandbox, count):
    return sorted(sandbox.state.contacts, key=lambda c: c["id"])[:count]


def player_for(config, contact_id) -> Player:
    return PlayerMapping.objects.get(config=config, twizzit_contact_id=contact_id).player


def calls_during(sandbox, work):
    before = Counter(sandbox.state.calls())
    result = work()
    spent = Counter(sandbox.state.calls())
    spent.subtract(before)
    return result, {endpoint: n for endpoint, n in spent.items() if n}


def selected(config, **selection):
    return run_sync(config, SyncType.SELECTED, selection=selection)


def test_two_selected_players_are_updated_and_no_one_else(synced, sandbox):
    first, second, third = contacts(sandbox, 3)
    for contact in (first, second, third):
        sandbox.state.update_contact(contact["id"], **{"last-name": f"Nieuw {contact['id']}"})
    untouched_before = player_for(synced, third["id"]).updated_at

    log, spent = calls_during(
        sandbox, lambda: selected(synced, contact_ids=[first["id"], second["id"]])
    )

    assert log.status == SyncStatus.SUCCESS
    assert log.sync_type == SyncType.SELECTED
    assert log.selection == {"contact_ids": sorted([first["id"], second["id"]])}
    assert player_for(synced, first["id"]).last_name == f"Nieuw {first['id']}"
    assert player_for(synced, second["id"]).last_name == f"Nieuw {second['id']}"
    third_player = player_for(synced, third["id"])
    assert third_player.last_name == third["last-name"]
    assert third_player.updated_at == untouched_before
    assert log.stats["players"]["fetched"] == 2
    assert log.stats["players"]["updated"] == 2
    # One call for both, and the login of the full sync reused.
    assert spent == {"contacts": 1}
    assert log.api_calls == 1
    # The connection's "last sync" stays the last sync of the whole organisation.
    full_sync_at = synced.last_sync_at
    synced.refresh_from_db()
    assert full_sync_at is not None and synced.last_sync_at == full_sync_at


def test_a_selected_player_changed_on_both_sides_becomes_a_conflict(synced, sandbox):
    [contact] = contacts(sandbox, 1)
    player = player_for(synced, contact["id"])
    player.jersey_number = 7
    player.save()
    sandbox.state.update_contact(contact["id"], number=12)

    log = selected(synced, contact_ids=[contact["id"]])

    player.refresh_from_db()
    assert player.jersey_number == 7
    conflict = SyncConflict.objects.get(twizzit_id=contact["id"], resolution=Resolution.PENDING)
    assert conflict.conflict_type == ConflictType.DATA_MISMATCH
    assert conflict.fields == ["jersey_number"]
    assert conflict.sync_log == log
    assert log.stats["players"]["conflicts"] == 1


def test_an_id_missing_from_a_selected_listing_is_reported_never_archived(synced, sandbox):
    gone, kept = contacts(sandbox, 2)
    sandbox.state.remove_contact(gone["id"])

    log = selected(synced, contact_ids=[gone["id"], kept["id"]])

    assert log.status == SyncStatus.SUCCESS
    assert player_for(synced, gone["id"]).archived_at is None
    assert not SyncConflict.objects.filter(conflict_type=ConflictType.DELETED_IN_TWIZZIT).exists()
    [entry] = log.errors
    assert entry["twizzit_id"] == gone["id"]
    assert "not found in Twizzit" in entry["message"]
    assert entry["level"] == "warning"
    assert log.stats["players"]["skipped"] == 1
    assert log.stats["players"]["removed"] == 0
    # A full sync, whose listing is complete, is what raises the deletion conflict.
    run_sync(synced)
    assert SyncConflict.objects.filter(
        twizzit_id=gone["id"], conflict_type=ConflictType.DELETED_IN_TWIZZIT
    ).exists()


def test_selected_teams_are_updated_with_their_rosters_and_other_rosters_untouched(synced, sandbox):
    mapped = list(TeamMapping.objects.filter(config=synced).order_by("twizzit_group_id")[:2])
    chosen, other = mapped
    links = [r for r in sandbox.state.group_contacts if r["groupId"] == chosen.twizzit_group_id]
    other_links = [
        r for r in sandbox.state.group_contacts if r["groupId"] == other.twizzit_group_id
    ]
    sandbox.state.update_group(chosen.twizzit_group_id, name="Kern A (nieuw)")
    sandbox.state.update_group(other.twizzit_group_id, name="Kern B (nieuw)")
    sandbox.state.remove_group_contact(links[0]["groupId"], links[0]["contactId"])
    sandbox.state.remove_group_contact(other_links[0]["groupId"], other_links[0]["contactId"])
    other_roster = TeamMembership.objects.filter(team=other.team).count()

    log, spent = calls_during(
        sandbox, lambda: selected(synced, group_ids=[chosen.twizzit_group_id])
    )

    assert log.status == SyncStatus.SUCCESS, log.errors
    assert Team.objects.get(pk=chosen.team_id).name == "Kern A (nieuw)"
    assert Team.objects.get(pk=other.team_id).name != "Kern B (nieuw)"
    assert not TeamMembership.objects.filter(
        team=chosen.team_id, player__twizzit_mappings__twizzit_contact_id=links[0]["contactId"]
    ).exists()
    assert TeamMembership.objects.filter(team=other.team).count() == other_roster
    assert log.stats["rosters"]["removed"] == 1
    assert spent == {
        "groups": 1,
        "group-categories": 1,
        "contact-functions": 1,
        "group-contacts": 1,
    }


def test_many_ids_are_batched_to_the_url_budget(synced, sandbox):
    ids = [c["id"] for c in sandbox.state.contacts]
    client = client_for(synced)
    batches = list(client.id_batches("contacts", "contact-ids", ids, page_size=100, max_ids=99))

    log, spent = calls_during(sandbox, lambda: selected(synced, contact_ids=ids))

    assert len(batches) == 4  # 300 ids, fewer than a page (100) per call
    assert spent == {"contacts": len(batches)}
    assert log.stats["players"]["unchanged"] == len(ids)
    longest = max(len("&".join(f"contact-ids%5B%5D={i}" for i in batch)) for batch in batches)
    assert longest < 4000


def test_a_selected_sync_waits_for_no_one_one_run_per_connection(synced):
    running = enqueue_sync(synced, SyncType.FULL)
    with pytest.raises(SyncInProgress):
        enqueue_sync(synced, SyncType.SELECTED, selection={"contact_ids": [1]})
    assert SyncLog.objects.filter(config=synced, sync_type=SyncType.SELECTED).count() == 0
    assert running.status == SyncStatus.PENDING


@pytest.mark.parametrize(
    "selection, message",
    [
        ({}, "needs contact_ids or group_ids"),
        ({"contact_ids": []}, "needs contact_ids or group_ids"),
        ({"contact_ids": ["12"]}, "positive whole numbers"),
        ({"contact_ids": [0]}, "positive whole numbers"),
        ({"group_ids": "12"}, "must be a list"),
        ({"player_ids": [1]}, "Unknown selection keys: player_ids"),
        ({"contact_ids": list(range(1, 1003))}, "At most 1000"),
    ],
)
def test_a_bad_selection_is_refused_with_the_reason(selection, message):
    with pytest.raises(SelectionError, match=message):
        clean_selection(selection)


def test_cli_resyncs_the_contact_ids_it_is_given(synced, sandbox, capsys):
    first, second = contacts(sandbox, 2)
    sandbox.state.update_contact(first["id"], **{"first-name": "Jana"})
    call_command(
        "twizzit_sync",
        "--org",
        str(synced.organization_id),
        "--contact-ids",
        f"{first['id']},{second['id']}",
    )
    log = SyncLog.objects.filter(sync_type=SyncType.SELECTED).get()
    assert log.selection == {"contact_ids": sorted([first["id"], second["id"]])}
    assert player_for(synced, first["id"]).first_name == "Jana"
    assert f"Sync #{log.pk} success" in capsys.readouterr().out


def test_cli_refuses_ids_that_are_not_numbers(synced):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="whole numbers"):
        call_command("twizzit_sync", "--org", str(synced.organization_id), "--group-ids", "1,x")
