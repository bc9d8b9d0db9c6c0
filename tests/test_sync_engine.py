"""Sync scenarios over real HTTP against the sandbox Twizzit (issue 4's "done when")."""

import pytest
from django.core.management import call_command

from shotspot.models import Player, Team, TeamMembership
from tests.sandbox import connect
from twizzit.bench.querycount import count_queries
from twizzit.models import (
    ConflictType,
    PlayerMapping,
    Resolution,
    SyncConflict,
    SyncStatus,
    TeamMapping,
)
from twizzit.sync import resolve_conflict, run_sync


@pytest.fixture
def config(db, sandbox):
    return connect(sandbox)


def first_contact(sandbox, *, with_birth_date=False):
    contacts = sandbox.state.contacts
    if with_birth_date:
        contacts = [c for c in contacts if c["date-of-birth"]]
    return min(contacts, key=lambda c: c["id"])


def player_for(config, contact_id) -> Player:
    return PlayerMapping.objects.get(config=config, twizzit_contact_id=contact_id).player


def pending(config, **filters):
    return SyncConflict.objects.filter(config=config, resolution=Resolution.PENDING, **filters)


def current_season_groups(sandbox):
    current = sandbox.state.current_season["id"]
    return [g for g in sandbox.state.groups if (g["season"] or {}).get("id") == current]


# --- first sync and re-syncs -----------------------------------------------------------
def test_first_sync_creates_every_player_team_and_roster_link(config, sandbox):
    log = run_sync(config)
    teams = current_season_groups(sandbox)
    group_ids = {g["id"] for g in teams}
    links = {
        (row["groupId"], row["contactId"], row["contactFunctionId"])
        for row in sandbox.state.group_contacts
        if row["groupId"] in group_ids
    }
    assert log.status == SyncStatus.SUCCESS
    assert Player.objects.count() == len(sandbox.state.contacts) == 300
    assert set(Team.objects.values_list("name", flat=True)) == {g["name"] for g in teams}
    assert TeamMembership.objects.count() == len(links)
    assert log.stats["players"]["created"] == 300
    assert log.stats["rosters"]["created"] == len(links)
    assert set(Player.objects.values_list("sync_source", flat=True)) == {"twizzit"}
    lotte = first_contact(sandbox)
    assert player_for(config, lotte["id"]).last_name == lotte["last-name"]


def test_first_sync_spends_the_minimum_calls(config, sandbox):
    log = run_sync(config)
    calls = sandbox.state.calls()
    assert calls["authenticate"] == 1
    assert calls["contacts"] == 300 // 100 + 1
    assert calls["groups"] == 1 and calls["seasons"] == 1
    assert log.api_calls == sum(calls.values())


def test_no_change_resync_writes_no_data_and_reuses_the_login(config, sandbox):
    run_sync(config)
    with count_queries() as cost:
        log = run_sync(config)
    assert log.status == SyncStatus.SUCCESS
    assert cost.data_rows_written == 0, cost.tables_written
    assert log.stats["players"]["unchanged"] == 300
    assert sandbox.state.calls()["authenticate"] == 1  # the cached token was reused


def test_remote_only_change_is_applied(config, sandbox):
    run_sync(config)
    contact = first_contact(sandbox)
    sandbox.state.update_contact(contact["id"], **{"last-name": "Van Damme"})
    log = run_sync(config)
    assert player_for(config, contact["id"]).last_name == "Van Damme"
    assert log.stats["players"]["updated"] == 1
    assert not pending(config).exists()


def test_local_edit_survives_when_twizzit_unchanged(config, sandbox):
    run_sync(config)
    contact = first_contact(sandbox)
    player = player_for(config, contact["id"])
    player.phone = "+32499000111"
    player.save()
    run_sync(config)
    sandbox.state.update_contact(contact["id"], **{"first-name": "Anaïs"})  # another field
    run_sync(config)
    player.refresh_from_db()
    assert player.phone == "+32499000111"
    assert player.first_name == "Anaïs"
    assert not pending(config).exists()


def test_both_sides_changed_is_one_conflict_across_two_syncs(config, sandbox):
    run_sync(config)
    contact = first_contact(sandbox)
    player = player_for(config, contact["id"])
    original_last_name = player.last_name
    player.last_name = "Local-Name"
    player.save()
    sandbox.state.update_contact(
        contact["id"], **{"last-name": "Remote-Name", "first-name": "Wout"}
    )

    first = run_sync(config)
    second = run_sync(config)

    conflict = pending(config).get()
    assert conflict.conflict_type == ConflictType.DATA_MISMATCH
    assert conflict.fields == ["last_name"]
    assert conflict.base_data == {"last_name": original_last_name}
    assert conflict.shotspot_data == {"last_name": "Local-Name"}
    assert conflict.twizzit_data == {"last_name": "Remote-Name"}
    assert conflict.player == player
    player.refresh_from_db()
    assert player.last_name == "Local-Name"  # never silently overwritten
    assert player.first_name == "Wout"  # the field that does not conflict is applied
    assert first.stats["players"]["conflicts"] == second.stats["players"]["conflicts"] == 1


@pytest.mark.parametrize(
    ("policy", "expected"), [("twizzit_wins", "Remote-Name"), ("shotspot_wins", "Local-Name")]
)
def test_policy_settles_both_sides_changed_and_the_log_says_so(config, sandbox, policy, expected):
    config.conflict_policy = policy
    config.save()
    run_sync(config)
    contact = first_contact(sandbox)
    player = player_for(config, contact["id"])
    player.last_name = "Local-Name"
    player.save()
    sandbox.state.update_contact(contact["id"], **{"last-name": "Remote-Name"})
    log = run_sync(config)
    player.refresh_from_db()
    assert player.last_name == expected
    assert not pending(config).exists()
    assert log.stats["players"]["policy_decided"] == 1
    assert "settled 1 disagreements" in log.message


# --- resolutions -----------------------------------------------------------------------
def make_mismatch(config, sandbox):
    run_sync(config)
    contact = first_contact(sandbox)
    player = player_for(config, contact["id"])
    player.email = "local@shotspot.be"
    player.save()
    sandbox.state.update_contact(
        contact["id"], **{"email-1": {"target": None, "email": "remote@twizzit.be"}}
    )
    run_sync(config)
    return pending(config).get(), player, contact


@pytest.mark.parametrize(
    ("resolution", "values", "expected_email"),
    [
        ("twizzit_wins", None, "remote@twizzit.be"),
        ("shotspot_wins", None, "local@shotspot.be"),
        ("manual", {"email": "chosen@club.be"}, "chosen@club.be"),
        ("ignored", None, "local@shotspot.be"),
    ],
)
def test_each_resolution_then_a_clean_resync(
    config, sandbox, admin_user, resolution, values, expected_email
):
    conflict, player, _ = make_mismatch(config, sandbox)
    resolve_conflict(conflict, resolution, values=values, user=admin_user)
    conflict.refresh_from_db()
    assert conflict.resolution == resolution
    assert conflict.resolved_by == admin_user

    log = run_sync(config)
    player.refresh_from_db()
    assert player.email == expected_email
    assert not pending(config).exists()
    assert log.stats["players"]["conflicts"] == 0
    with count_queries() as cost:
        run_sync(config)
    assert cost.data_rows_written == 0


def test_manual_resolution_rejects_an_invalid_value_and_changes_nothing(config, sandbox):
    from twizzit.sync import ResolutionError

    conflict, player, _ = make_mismatch(config, sandbox)
    with pytest.raises(ResolutionError) as excinfo:
        resolve_conflict(conflict, "manual", values={"email": "not-an-email"})
    assert "email" in excinfo.value.message_dict
    conflict.refresh_from_db()
    player.refresh_from_db()
    assert conflict.is_pending
    assert player.email == "local@shotspot.be"


# --- first link: duplicates ------------------------------------------------------------
@pytest.mark.parametrize("key", ["registration_number", "email", "name_and_date_of_birth"])
def test_existing_player_is_linked_not_duplicated(config, sandbox, key):
    contact = first_contact(sandbox, with_birth_date=True)
    email = f"linked.{contact['id']}@club.be"
    sandbox.state.update_contact(
        contact["id"],
        **{"registry-number": "KBKB-999", "email-1": {"target": None, "email": email}},
    )
    manual = {"first_name": "Someone", "last_name": "Else"}
    if key == "registration_number":
        manual["registration_number"] = "KBKB-999"
    elif key == "email":
        manual["email"] = email.upper()  # case-insensitive
    else:
        manual.update(
            first_name=contact["first-name"],
            last_name=contact["last-name"],
            date_of_birth=contact["date-of-birth"],
        )
    existing = Player.objects.create(**manual)

    run_sync(config)

    assert Player.objects.count() == 300
    assert player_for(config, contact["id"]) == existing
    existing.refresh_from_db()
    assert existing.sync_source == "twizzit"


def test_ambiguous_duplicate_is_a_conflict_and_creates_nothing(config, sandbox):
    contact = first_contact(sandbox)
    email = "shared@club.be"
    sandbox.state.update_contact(contact["id"], **{"email-1": {"target": None, "email": email}})
    twins = [
        Player.objects.create(first_name="A", last_name="One", email=email),
        Player.objects.create(first_name="B", last_name="Two", email=email),
    ]
    run_sync(config)
    conflict = pending(config, conflict_type=ConflictType.DUPLICATE).get()
    assert conflict.twizzit_id == contact["id"]
    assert {c["id"] for c in conflict.candidates} == {p.pk for p in twins}
    assert {c["matched_on"] for c in conflict.candidates} == {"email"}
    assert Player.objects.count() == 299 + 2  # the contact made no third player
    assert not PlayerMapping.objects.filter(twizzit_contact_id=contact["id"]).exists()

    resolve_conflict(conflict, "manual", values={"local_id": twins[0].pk})
    run_sync(config)
    linked = player_for(config, contact["id"])
    assert linked == twins[0]
    # Linked like an automatic first link: what ShotSpot left empty is filled in, the
    # names ShotSpot holds are not overwritten but asked about.
    assert (linked.first_name, linked.last_name) == ("A", "One")
    assert linked.registration_number == (contact["registry-number"] or "")
    mismatch = pending(config).get()
    assert mismatch.conflict_type == ConflictType.DATA_MISMATCH
    assert set(mismatch.fields) == {"first_name", "last_name"}


def test_a_player_mapped_to_another_contact_is_never_taken_over(config, sandbox):
    run_sync(config)
    taken = player_for(config, first_contact(sandbox)["id"])
    newcomer = sandbox.state.add_contact(
        **{"registry-number": taken.registration_number or "R-1", "first-name": "New"}
    )
    if not taken.registration_number:
        taken.registration_number = "R-1"
        taken.save()
    run_sync(config)
    assert player_for(config, newcomer["id"]) != taken
    assert Player.objects.count() == 301


# --- deletions -------------------------------------------------------------------------
def test_contact_deleted_in_twizzit_raises_a_conflict_and_keeps_the_player(config, sandbox):
    run_sync(config)
    contact = first_contact(sandbox)
    player = player_for(config, contact["id"])
    sandbox.state.remove_contact(contact["id"])
    run_sync(config)
    conflict = pending(config).get()
    assert conflict.conflict_type == ConflictType.DELETED_IN_TWIZZIT
    assert conflict.player == player
    assert Player.objects.filter(pk=player.pk, archived_at__isnull=True).exists()


def test_contact_deleted_in_twizzit_is_archived_under_twizzit_wins(config, sandbox):
    config.conflict_policy = "twizzit_wins"
    config.save()
    run_sync(config)
    contact = first_contact(sandbox)
    sandbox.state.remove_contact(contact["id"])
    log = run_sync(config)
    player = player_for(config, contact["id"])
    assert player.archived_at is not None
    assert log.stats["players"]["removed"] == 1
    assert Player.objects.count() == 300  # archived, never deleted


def test_player_deleted_in_shotspot_is_not_silently_recreated(config, sandbox):
    run_sync(config)
    contact = first_contact(sandbox)
    player_for(config, contact["id"]).delete()
    run_sync(config)
    run_sync(config)
    assert Player.objects.count() == 299
    conflict = pending(config).get()
    assert conflict.conflict_type == ConflictType.DELETED_IN_SHOTSPOT
    assert conflict.twizzit_id == contact["id"]

    resolve_conflict(conflict, "shotspot_wins")  # keep it deleted
    run_sync(config)
    assert Player.objects.count() == 299
    assert not pending(config).exists()


def test_recreating_a_player_deleted_in_shotspot(config, sandbox):
    run_sync(config)
    contact = first_contact(sandbox)
    player_for(config, contact["id"]).delete()
    run_sync(config)
    resolve_conflict(pending(config).get(), "twizzit_wins")
    assert player_for(config, contact["id"]).last_name == contact["last-name"]
    run_sync(config)
    assert Player.objects.count() == 300
    assert not pending(config).exists()


def test_team_deleted_in_twizzit_raises_a_conflict(config, sandbox):
    run_sync(config)
    group = current_season_groups(sandbox)[0]
    sandbox.state.remove_group(group["id"])
    run_sync(config)
    conflict = pending(config, entity_type="team").get()
    assert conflict.conflict_type == ConflictType.DELETED_IN_TWIZZIT
    assert conflict.team.name == group["name"]


# --- failures --------------------------------------------------------------------------
def test_a_record_without_any_name_is_an_error_entry_and_the_rest_goes_on(config, sandbox):
    contact = first_contact(sandbox)
    sandbox.state.update_contact(contact["id"], **{"first-name": "", "last-name": "", "name": ""})
    log = run_sync(config)
    assert log.status == SyncStatus.PARTIAL
    assert Player.objects.count() == 299
    [entry] = [e for e in log.errors if e["level"] == "error"]
    assert entry["entity"] == "players"
    assert entry["twizzit_id"] == contact["id"]
    assert entry["message"] == f"contact {contact['id']} has no name"


def test_an_impossible_birth_date_costs_the_date_and_a_warning_not_the_player(config, sandbox):
    contact = first_contact(sandbox)
    sandbox.state.update_contact(contact["id"], **{"date-of-birth": "2001-02-30"})
    log = run_sync(config)
    assert log.status == SyncStatus.SUCCESS
    assert Player.objects.count() == 300
    assert player_for(config, contact["id"]).date_of_birth is None
    [entry] = [e for e in log.errors if e["twizzit_id"] == contact["id"]]
    assert entry["level"] == "warning"
    assert entry["message"] == (
        f"player {contact['id']} date of birth: Twizzit's value was refused "
        "(is not a real calendar date); the rest of the record was synced"
    )


def test_a_page_that_keeps_failing_then_a_rerun_without_duplicates_or_false_deletions(
    config, sandbox
):
    run_sync(config)
    sandbox.state.update_contact(first_contact(sandbox)["id"], **{"last-name": "Changed"})
    sandbox.state.fail("contacts", status=503, times=20, offset=100)
    log = run_sync(config)
    assert log.status == SyncStatus.PARTIAL
    assert "players stopped" in log.message
    assert not pending(config).exists()  # no contact judged deleted
    assert Player.objects.count() == 300
    assert player_for(config, first_contact(sandbox)["id"]).last_name == "Changed"

    sandbox.state.reset()
    rerun = run_sync(config)
    assert rerun.status == SyncStatus.SUCCESS
    assert Player.objects.count() == 300
    assert PlayerMapping.objects.filter(config=config).count() == 300


def test_first_sync_interrupted_by_a_failing_page_completes_on_rerun(config, sandbox):
    sandbox.state.fail("contacts", status=500, times=20, offset=200)
    first = run_sync(config)
    assert first.status == SyncStatus.PARTIAL
    assert Player.objects.count() == 200
    sandbox.state.reset()
    run_sync(config)
    assert Player.objects.count() == 300
    assert not pending(config).exists()


def test_token_expiry_part_way_logs_in_once_more(config, sandbox):
    pages = []

    def expire_after_first_contacts_page(phase, report):
        if phase == "players" and report.stats["players"]["fetched"] and not pages:
            pages.append(1)
            sandbox.state.expire_tokens()

    log = run_sync(config, on_progress=expire_after_first_contacts_page)
    assert log.status == SyncStatus.SUCCESS
    assert sandbox.state.calls()["authenticate"] == 2
    assert Player.objects.count() == 300


def test_quota_exhausted_fails_with_a_clear_message_and_no_further_calls(config, sandbox):
    config.monthly_call_limit = 4
    config.save()
    log = run_sync(config)
    assert log.status == SyncStatus.FAILED
    assert "monthly" in log.message.lower()
    assert sum(sandbox.state.calls().values()) <= 4


def test_wrong_password_fails_the_run_with_twizzit_message(config, sandbox):
    config.set_password("wrong")
    config.save()
    log = run_sync(config)
    assert log.status == SyncStatus.FAILED
    assert "refused" in log.message.lower()
    assert "wrong" not in log.message


# --- rosters ---------------------------------------------------------------------------
def test_manual_membership_is_never_touched_and_removed_links_are_removed(config, sandbox):
    run_sync(config)
    row = next(
        r
        for r in sandbox.state.group_contacts
        if r["groupId"] in {g["id"] for g in current_season_groups(sandbox)}
    )
    team = TeamMapping.objects.get(config=config, twizzit_group_id=row["groupId"]).team
    player = player_for(config, row["contactId"])
    outsider = Player.objects.create(first_name="Hand", last_name="Made")
    manual = TeamMembership.objects.create(team=team, player=outsider, role="coach")

    sandbox.state.remove_group_contact(row["groupId"], row["contactId"])
    log = run_sync(config)

    assert not TeamMembership.objects.filter(
        team=team, player=player, sync_source="twizzit"
    ).exists()
    assert TeamMembership.objects.filter(pk=manual.pk).exists()
    assert log.stats["rosters"]["removed"] == 1


ROLE_OF_FUNCTION = {"Player": "player", "Coach": "coach", "Team manager": "staff"}


def test_roles_come_from_contact_functions(config, sandbox):
    run_sync(config)
    function_names = {f["id"]: f["name"]["EN"] for f in sandbox.state.contact_functions}
    current = {g["id"] for g in current_season_groups(sandbox)}
    expected = {
        (row["groupId"], row["contactId"], ROLE_OF_FUNCTION.get(function_names[fid], "other"))
        for row in sandbox.state.group_contacts
        if row["groupId"] in current and (fid := row["contactFunctionId"]) is not None
    }
    team_group = dict(TeamMapping.objects.values_list("team_id", "twizzit_group_id"))
    player_contact = dict(PlayerMapping.objects.values_list("player_id", "twizzit_contact_id"))
    synced = {
        (team_group[team], player_contact[player], role)
        for team, player, role in TeamMembership.objects.values_list("team", "player", "role")
    }
    assert synced == expected
    assert {"player", "coach", "staff"} <= {role for _, _, role in synced}


# --- dry run and the command -------------------------------------------------------------
def test_dry_run_writes_nothing_and_lists_planned_changes(config, sandbox):
    with count_queries() as cost:
        log = run_sync(config, dry_run=True)
    assert log.status == SyncStatus.SUCCESS
    assert cost.data_rows_written == 0
    assert Player.objects.count() == Team.objects.count() == 0
    assert not PlayerMapping.objects.exists()
    assert log.stats["players"]["created"] == 300
    assert log.stats["rosters"]["created"] > 0
    assert log.planned_changes[0]["action"] == "create"
    assert len(log.planned_changes) == 500  # capped


def test_dry_run_after_a_change_shows_the_field_diff(config, sandbox):
    run_sync(config)
    contact = first_contact(sandbox)
    old = contact["last-name"]
    sandbox.state.update_contact(contact["id"], **{"last-name": "Preview"})
    log = run_sync(config, dry_run=True)
    assert player_for(config, contact["id"]).last_name == old
    assert log.planned_changes == [
        {
            "entity": "players",
            "twizzit_id": contact["id"],
            "action": "update",
            "label": f"{contact['first-name']} Preview",
            "changes": {"last_name": [old, "Preview"]},
        }
    ]


def test_sync_command_prints_the_log_as_json(config, sandbox, capsys):
    import json

    call_command("twizzit_sync", "--org", str(config.organization_id), "--json")
    summary = json.loads(capsys.readouterr().out)
    assert summary["status"] == "success"
    assert summary["stats"]["players"]["created"] == 300
    assert set(summary["stats"]) == {"seasons", "teams", "players", "rosters", "games"}
    assert summary["errors"] == []


def test_sync_command_shows_progress_and_a_summary_table(config, sandbox, capsys):
    call_command("twizzit_sync", "--org", str(config.organization_id), "--type", "players")
    out = capsys.readouterr().out
    assert "[players] records so far: players 100" in out
    assert "success" in out
    assert "players" in out and "300" in out


def test_bulk_resolution_reports_unknown_and_refused_conflicts_and_resolves_the_rest(
    config, sandbox
):
    from twizzit.sync import resolve_conflicts

    conflict, player, _ = make_mismatch(config, sandbox)
    result = resolve_conflicts([conflict.pk, 999_999], "twizzit_wins")
    assert result.resolved == [conflict.pk]
    assert result.failed == [{"id": 999_999, "message": "There is no conflict #999999."}]
    again = resolve_conflicts([conflict.pk], "shotspot_wins")
    assert again.failed[0]["message"].endswith("was already resolved (twizzit_wins).")
    player.refresh_from_db()
    assert player.email == "remote@twizzit.be"


def test_a_running_sync_publishes_progress_and_stops_when_cancelled_keeping_its_work(
    config, sandbox
):
    from twizzit.models import SyncLog
    from twizzit.sync import request_cancel

    seen_progress = []

    def cancel_after_first_contacts_page(phase, report):
        log = SyncLog.objects.get(config=config, status=SyncStatus.RUNNING)
        seen_progress.append(log.progress)  # what a status page reads meanwhile
        if phase == "players" and report.stats["players"]["fetched"] == 100:
            request_cancel(log)

    log = run_sync(config, on_progress=cancel_after_first_contacts_page)

    assert log.status == SyncStatus.CANCELLED
    assert "work done so far is kept" in log.message
    # Asked during page one's checkpoint: page two was under way and is kept; the check
    # before page three stops the run.
    assert Player.objects.count() == 200
    assert {"phase": "players", "processed": {**log.progress["processed"], "players": 100}} in (
        seen_progress
    )
    config.refresh_from_db()
    assert config.running_sync is None
