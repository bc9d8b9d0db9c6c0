"""Edge cases where a sync could lose or invent data (from the review of the engine).

Each scenario runs over real HTTP against the sandbox Twizzit.
"""

import pytest

from shotspot.models import Club, Season, Team, TeamMembership
from tests.sandbox import connect
from twizzit.models import (
    ConflictType,
    PlayerMapping,
    Resolution,
    SeasonMapping,
    SyncConflict,
    SyncStatus,
    TeamMapping,
)
from twizzit.sync import request_cancel, resolve_conflict, run_sync
from twizzit.sync.runs import create_run, reserve

COMMITTEE_CATEGORY = 320  # the sandbox's "Board" category, of a non-team group type


@pytest.fixture
def config(db, sandbox):
    return connect(sandbox)


def contacts_by_id(sandbox):
    return sorted(sandbox.state.contacts, key=lambda c: c["id"])


def player_for(config, contact_id):
    return PlayerMapping.objects.get(config=config, twizzit_contact_id=contact_id).player


def pending(config, **filters):
    return SyncConflict.objects.filter(config=config, resolution=Resolution.PENDING, **filters)


def test_a_season_made_by_hand_is_linked_and_takes_the_current_flag_without_a_conflict(
    config, sandbox
):
    current = sandbox.state.current_season
    local = Season.objects.create(name=current["name"])
    run_sync(config)
    local.refresh_from_db()
    assert SeasonMapping.objects.get(config=config, twizzit_season_id=current["id"]).season == local
    assert local.is_current is True
    assert not pending(config).exists()
    assert Team.objects.filter(season=local).count() == 24


def test_two_hand_made_seasons_of_one_name_are_a_conflict_a_person_can_resolve(config, sandbox):
    current = sandbox.state.current_season
    chosen = Season.objects.create(name=current["name"])
    Season.objects.create(name=current["name"])
    run_sync(config)
    conflict = pending(config, entity_type="season").get()
    assert conflict.conflict_type == ConflictType.DUPLICATE

    resolve_conflict(conflict, "manual", values={"local_id": chosen.pk})
    run_sync(config)

    assert SeasonMapping.objects.get(twizzit_season_id=current["id"]).season == chosen
    chosen.refresh_from_db()
    assert chosen.is_current is True
    assert Team.objects.filter(season=chosen).count() == 24
    assert not pending(config).exists()


def test_a_club_deleted_in_shotspot_is_not_recreated_and_the_sync_goes_on(config, sandbox):
    run_sync(config)
    Club.objects.all().delete()
    group = next(
        g
        for g in sandbox.state.groups
        if g["id"] in set(TeamMapping.objects.values_list("twizzit_group_id", flat=True))
    )
    sandbox.state.update_group(group["id"], name="Renamed U15")
    log = run_sync(config)
    assert log.status == SyncStatus.SUCCESS
    assert Club.objects.count() == 0
    team = TeamMapping.objects.get(twizzit_group_id=group["id"]).team
    assert (team.name, team.club) == ("Renamed U15", None)


def test_a_contact_shifting_between_pages_is_not_taken_for_deleted(config, sandbox):
    config.conflict_policy = "twizzit_wins"
    config.save()
    run_sync(config)
    first, shifted = contacts_by_id(sandbox)[0], contacts_by_id(sandbox)[100]
    removed = []

    def remove_first_contact_after_page_one(phase, report):
        if phase == "players" and report.stats["players"]["fetched"] == 100 and not removed:
            removed.append(first["id"])
            sandbox.state.remove_contact(first["id"])  # contact #101 moves onto page one

    log = run_sync(config, on_progress=remove_first_contact_after_page_one)
    assert removed
    assert player_for(config, shifted["id"]).archived_at is None  # found by a second look
    assert log.stats["players"]["removed"] == 0  # the first contact was read on page one

    nightly = run_sync(config)
    assert player_for(config, first["id"]).archived_at is not None
    assert player_for(config, shifted["id"]).archived_at is None
    assert nightly.stats["players"]["removed"] == 1


def test_a_pending_conflict_closes_when_both_sides_agree_again(config, sandbox):
    run_sync(config)
    contact = contacts_by_id(sandbox)[0]
    player = player_for(config, contact["id"])
    player.last_name = "Local"
    player.save()
    sandbox.state.update_contact(contact["id"], **{"last-name": "Remote"})
    run_sync(config)
    conflict = pending(config).get()

    sandbox.state.update_contact(contact["id"], **{"last-name": contact["last-name"]})
    run_sync(config)

    conflict.refresh_from_db()
    assert conflict.resolution == Resolution.SUPERSEDED
    player.refresh_from_db()
    assert player.last_name == "Local"  # only ShotSpot changed now: its edit stays


def test_a_deletion_conflict_closes_when_the_contact_comes_back(config, sandbox):
    run_sync(config)
    contact = contacts_by_id(sandbox)[0]
    sandbox.state.remove_contact(contact["id"])
    run_sync(config)
    conflict = pending(config, conflict_type=ConflictType.DELETED_IN_TWIZZIT).get()

    sandbox.state.reset()  # the contact is back, unchanged
    run_sync(config)

    conflict.refresh_from_db()
    assert conflict.resolution == Resolution.SUPERSEDED


def test_a_team_gone_from_twizzit_keeps_its_roster_until_a_person_decides(config, sandbox):
    run_sync(config)
    mapping = TeamMapping.objects.filter(team__memberships__isnull=False).first()
    roster = TeamMembership.objects.filter(team=mapping.team).count()
    sandbox.state.remove_group(mapping.twizzit_group_id)
    run_sync(config)
    assert pending(config, conflict_type=ConflictType.DELETED_IN_TWIZZIT).exists()
    assert TeamMembership.objects.filter(team=mapping.team).count() == roster > 0


def test_a_board_group_is_not_a_team(config, sandbox):
    season = sandbox.state.current_season
    board = sandbox.state.add_group(
        name="Bestuur", category=COMMITTEE_CATEGORY, season=season["id"]
    )
    run_sync(config)
    assert not TeamMapping.objects.filter(twizzit_group_id=board["id"]).exists()
    assert not Team.objects.filter(name="Bestuur").exists()


def test_cancelling_a_reserved_run_frees_the_connection(config, sandbox):
    log = create_run(config, "full", dry_run=False, trigger="schedule", user=None)
    assert reserve(log)
    request_cancel(log)
    config.refresh_from_db()
    assert config.running_sync is None
    assert run_sync(config).status == SyncStatus.SUCCESS
