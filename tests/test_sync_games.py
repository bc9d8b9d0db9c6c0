"""Games: Twizzit events become ShotSpot games, over real HTTP against the sandbox."""

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from shotspot.models import Game, GameStatus, Team
from tests.sandbox import connect
from twizzit.bench.querycount import count_queries
from twizzit.mappers.events import game_key
from twizzit.models import (
    ConflictPolicy,
    ConflictType,
    EntityType,
    EventMapping,
    Resolution,
    SyncConflict,
    SyncStatus,
    SyncType,
    TeamMapping,
)
from twizzit.sync import resolve_conflict, run_sync
from twizzit.sync.games import game_window

MATCH = 1


@pytest.fixture
def config(db, sandbox, early_in_season):
    # Ten days into the season: the window holds all of it, whatever today is.
    config = connect(sandbox)
    run_sync(config, SyncType.TEAMS)
    config.refresh_from_db()  # the run's claim came and went: save no stale copy of it
    return config


def group_ids(event):
    return [g if isinstance(g, int) else g["id"] for g in event["event-groups"]]


def synced_groups(config):
    return set(TeamMapping.objects.filter(config=config).values_list("twizzit_group_id", flat=True))


def window_events(sandbox):
    season = sandbox.state.current_season
    return [
        e
        for e in sandbox.state.events
        if season["start-date"] <= e["start"][:10] <= season["end-date"]
    ]


def expected_games(sandbox, config):
    ours = synced_groups(config)
    return {
        (e["id"], group)
        for e in window_events(sandbox)
        if e["event-type"] == MATCH
        for group in group_ids(e)
        if group in ours
    }


def pick(sandbox, *, home=True, scored=False):
    """A single-team, not cancelled league match of the sandbox."""
    for e in sandbox.state.events:
        single = len(e["event-groups"]) == 1 and e["event-type"] == MATCH
        is_home = isinstance(e["address"], dict)
        if single and is_home == home and bool(e["score"]) == scored and not e.get("cancelled"):
            return e
    raise AssertionError("no such event in the sandbox")


def game_of(config, event):
    return EventMapping.objects.get(
        config=config, twizzit_key=game_key(event["id"], group_ids(event)[0])
    ).game


def pending(config, **filters):
    return SyncConflict.objects.filter(
        config=config, entity_type=EntityType.GAME, resolution=Resolution.PENDING, **filters
    )


# --- first import ---------------------------------------------------------------------------
def test_first_import_creates_one_game_per_match_of_a_synced_team(config, sandbox):
    log = run_sync(config, SyncType.GAMES)
    expected = expected_games(sandbox, config)
    assert log.status == SyncStatus.SUCCESS, log.errors
    assert len(expected) > 100
    assert Game.objects.count() == len(expected) == log.stats["games"]["created"]
    assert set(EventMapping.objects.values_list("twizzit_event_id", "twizzit_group_id")) == expected
    assert log.stats["games"]["fetched"] == len(window_events(sandbox))
    assert set(Game.objects.values_list("sync_source", flat=True)) == {"twizzit"}


def test_a_home_fixture_arrives_with_its_opponent_times_venue_and_competition(config, sandbox):
    run_sync(config, SyncType.GAMES)
    event = pick(sandbox, home=True)
    team_name = event["event-groups"][0]["name"]
    game = game_of(config, event)
    assert game.team.name == team_name
    assert game.is_home is True
    assert game.opponent == event["name"].removeprefix(f"{team_name} - ")
    brussels = datetime.fromisoformat(event["start"]).replace(tzinfo=ZoneInfo("Europe/Brussels"))
    assert game.start == brussels.astimezone(UTC)
    assert game.venue == "Sportlaan 1, 2000 Antwerpen"
    assert game.competition.startswith("Competition match")
    assert game.status == GameStatus.SCHEDULED
    assert game.meeting_time < game.start < game.end


def test_an_away_fixture_with_a_score_is_played_with_the_score_home_first(config, sandbox):
    run_sync(config, SyncType.GAMES)
    event = pick(sandbox, home=False, scored=True)
    game = game_of(config, event)
    home, away = (int(part) for part in event["score"].split("-"))
    assert game.is_home is False
    assert (game.status, game.home_score, game.away_score) == (GameStatus.PLAYED, home, away)
    assert game.opponent == event["name"].split(" - ")[0]


def test_trainings_and_meetings_are_skipped_and_counted_as_skipped(config, sandbox):
    log = run_sync(config, SyncType.GAMES)
    others = [e for e in window_events(sandbox) if e["event-type"] != MATCH]
    assert {e["event-type"] for e in others} == {2, 3}
    assert log.stats["games"]["skipped"] == len(others)
    assert not Game.objects.filter(opponent__icontains="training").exists()
    assert not Game.objects.filter(opponent__icontains="vergadering").exists()


def test_a_derby_becomes_one_game_for_each_team_from_its_own_side(config, sandbox):
    run_sync(config, SyncType.GAMES)
    derby = next(e for e in sandbox.state.events if len(e["event-groups"]) == 2)
    games = Game.objects.filter(twizzit_mappings__twizzit_event_id=derby["id"])
    assert games.count() == 2
    home = games.get(is_home=True)
    away = games.get(is_home=False)
    assert home.opponent == away.team.name and away.opponent == home.team.name
    assert home.start == away.start


def test_the_sandbox_s_cancelled_match_is_a_cancelled_game(config, sandbox):
    run_sync(config, SyncType.GAMES)
    cancelled = next(e for e in sandbox.state.events if e.get("cancelled"))
    assert game_of(config, cancelled).status == GameStatus.CANCELLED


def test_the_call_count_is_the_minimum_for_the_window(config, sandbox):
    before = sandbox.state.calls()
    log = run_sync(config, SyncType.GAMES)
    after = sandbox.state.calls()
    spent = {name: after[name] - before[name] for name in after if after[name] != before[name]}
    listed = len(window_events(sandbox))
    assert spent == {"events": listed // 100 + 1, "event-types": 1, "event-sub-types": 1}
    assert log.api_calls == sum(spent.values())  # the teams sync's login was reused
    request = sandbox.state.requests("events")[-1]["params"]
    season = sandbox.state.current_season
    assert request["start-date"] == [season["start-date"]]
    assert request["end-date"] == [season["end-date"]]
    assert request["limit"] == ["100"]


# --- re-syncs -------------------------------------------------------------------------------
def test_no_change_resync_writes_no_rows(config, sandbox):
    run_sync(config, SyncType.GAMES)
    with count_queries() as cost:
        log = run_sync(config, SyncType.GAMES)
    assert log.status == SyncStatus.SUCCESS
    assert cost.data_rows_written == 0, cost.tables_written
    assert log.stats["games"]["unchanged"] == Game.objects.count()


def test_a_moved_kick_off_is_applied(config, sandbox):
    run_sync(config, SyncType.GAMES)
    event = pick(sandbox)
    year = int(sandbox.state.current_season["end-date"][:4])  # February of this season
    sandbox.state.update_event(event["id"], start=f"{year}-02-14T18:30:00+01:00")
    log = run_sync(config, SyncType.GAMES)
    assert log.stats["games"]["updated"] == 1
    assert game_of(config, event).start == datetime(year, 2, 14, 17, 30, tzinfo=UTC)


def test_a_venue_edited_in_shotspot_is_kept_while_twizzit_s_other_changes_apply(config, sandbox):
    run_sync(config, SyncType.GAMES)
    event = pick(sandbox)
    game = game_of(config, event)
    game.venue = "Sporthal Het Rooi (verhuisd)"
    game.save()
    sandbox.state.update_event(event["id"], name=event["name"] + " 2")
    run_sync(config, SyncType.GAMES)
    game.refresh_from_db()
    assert game.venue == "Sporthal Het Rooi (verhuisd)"
    assert game.opponent.endswith(" 2")
    assert not pending(config).exists()


def test_a_field_changed_on_both_sides_becomes_a_conflict_and_shotspot_keeps_its_value(
    config, sandbox
):
    run_sync(config, SyncType.GAMES)
    event = pick(sandbox)
    game = game_of(config, event)
    game.venue = "Sporthal Het Rooi"
    game.save()
    sandbox.state.update_event(event["id"], address="Sporthal De Vijver, Mechelen")
    log = run_sync(config, SyncType.GAMES)
    conflict = pending(config).get()
    assert conflict.conflict_type == ConflictType.DATA_MISMATCH
    assert conflict.fields == ["venue"]
    assert conflict.twizzit_data == {"venue": "Sporthal De Vijver, Mechelen"}
    assert log.stats["games"]["conflicts"] == 1
    game.refresh_from_db()
    assert game.venue == "Sporthal Het Rooi"
    resolve_conflict(conflict, Resolution.TWIZZIT_WINS)
    game.refresh_from_db()
    assert game.venue == "Sporthal De Vijver, Mechelen"


def test_a_score_from_twizzit_fills_only_while_shotspot_has_none(config, sandbox):
    run_sync(config, SyncType.GAMES)
    empty, recorded = pick(sandbox, home=True), pick(sandbox, home=False, scored=True)
    mine = game_of(config, recorded)
    mine.home_score, mine.away_score = 30, 1
    mine.save()
    sandbox.state.update_event(empty["id"], score="14-12")
    sandbox.state.update_event(recorded["id"], score="2-2")
    run_sync(config, SyncType.GAMES)
    filled, mine = game_of(config, empty), game_of(config, recorded)
    assert (filled.home_score, filled.away_score, filled.status) == (14, 12, GameStatus.PLAYED)
    assert (mine.home_score, mine.away_score) == (30, 1)
    assert not pending(config).exists()


def test_an_event_cancelled_in_twizzit_cancels_the_game(config, sandbox):
    run_sync(config, SyncType.GAMES)
    event = pick(sandbox)
    sandbox.state.update_event(event["id"], cancelled=True)
    run_sync(config, SyncType.GAMES)
    assert game_of(config, event).status == GameStatus.CANCELLED


# --- deletions ------------------------------------------------------------------------------
def test_a_removed_event_is_a_conflict_and_the_game_is_never_deleted(config, sandbox):
    run_sync(config, SyncType.GAMES)
    event = pick(sandbox)
    game = game_of(config, event)
    count = Game.objects.count()
    sandbox.state.remove_event(event["id"])
    log = run_sync(config, SyncType.GAMES)
    conflict = pending(config).get()
    assert conflict.conflict_type == ConflictType.DELETED_IN_TWIZZIT
    assert conflict.twizzit_id == game_key(event["id"], group_ids(event)[0])
    assert Game.objects.count() == count
    game.refresh_from_db()
    assert game.status == GameStatus.SCHEDULED
    assert log.stats["games"]["conflicts"] == 1
    resolve_conflict(conflict, Resolution.TWIZZIT_WINS)
    game.refresh_from_db()
    assert game.status == GameStatus.CANCELLED


def test_under_twizzit_wins_a_removed_event_cancels_its_game(config, sandbox):
    config.conflict_policy = ConflictPolicy.TWIZZIT_WINS
    config.save()
    run_sync(config, SyncType.GAMES)
    event = pick(sandbox)
    sandbox.state.remove_event(event["id"])
    log = run_sync(config, SyncType.GAMES)
    assert game_of(config, event).status == GameStatus.CANCELLED
    assert log.stats["games"]["removed"] == 1
    assert not pending(config).exists()


def test_a_failing_events_page_judges_no_deletion(config, sandbox):
    run_sync(config, SyncType.GAMES)
    event = pick(sandbox)
    sandbox.state.remove_event(event["id"])
    sandbox.state.fail("events", status=500, times=20, offset=100)
    log = run_sync(config, SyncType.GAMES)
    assert log.status == SyncStatus.FAILED
    assert "games stopped" in log.message
    assert not pending(config).exists()
    assert game_of(config, event).status == GameStatus.SCHEDULED


def test_an_unreadable_event_is_an_error_entry_and_its_games_are_not_judged_deleted(
    config, sandbox
):
    run_sync(config, SyncType.GAMES)
    event = pick(sandbox)
    sandbox.state.update_event(event["id"], event_groups=[{"name": "Seniors 1"}])
    log = run_sync(config, SyncType.GAMES)
    assert log.status == SyncStatus.PARTIAL
    assert [e["twizzit_id"] for e in log.errors if e["level"] == "error"] == [event["id"]]
    assert not pending(config).exists()
    assert game_of(config, event).status == GameStatus.SCHEDULED


# --- settings, dry runs, the full sync --------------------------------------------------------
def test_a_dry_run_plans_the_games_and_writes_none(config, sandbox):
    log = run_sync(config, SyncType.GAMES, dry_run=True)
    assert Game.objects.count() == 0
    planned = [c for c in log.planned_changes if c["entity"] == "games"]
    assert len(planned) == log.stats["games"]["created"] == len(expected_games(sandbox, config))
    assert planned[0]["action"] == "create" and planned[0]["label"].startswith("vs ")


def test_a_full_sync_imports_games_after_rosters_unless_switched_off(db, sandbox):
    config = connect(sandbox)
    log = run_sync(config)
    assert log.status == SyncStatus.SUCCESS
    assert log.stats["games"]["created"] == Game.objects.count() > 0
    order = [request["endpoint"] for request in sandbox.state.requests()]
    assert order.index("events") > max(i for i, e in enumerate(order) if e == "group-contacts")


def test_a_full_sync_with_games_switched_off_reads_no_events(db, sandbox):
    config = connect(sandbox, sync_games=False)
    log = run_sync(config)
    assert log.status == SyncStatus.SUCCESS
    assert sandbox.state.calls()["events"] == 0
    assert Game.objects.count() == 0


def test_an_override_makes_trainings_games(config, sandbox):
    config.event_type_overrides = {"2": "game"}
    config.full_clean()
    config.save()
    run_sync(config, SyncType.GAMES)
    assert Game.objects.filter(opponent__startswith="Training").exists()


def test_an_invalid_override_is_refused_like_the_role_overrides(config):
    config.event_type_overrides = {"2": "maybe"}
    with pytest.raises(ValidationError) as refused:
        config.full_clean()
    assert "choose game or skip" in str(refused.value.message_dict["event_type_overrides"])


def test_a_game_typed_in_by_hand_on_the_same_day_is_linked_not_duplicated(config, sandbox):
    event = pick(sandbox)
    team = Team.objects.get(twizzit_mappings__twizzit_group_id=group_ids(event)[0])
    start = datetime.fromisoformat(event["start"]).replace(tzinfo=UTC)
    manual = Game.objects.create(team=team, opponent="Typed by hand", start=start)
    run_sync(config, SyncType.GAMES)
    assert game_of(config, event).pk == manual.pk
    manual.refresh_from_db()
    assert manual.sync_source == "twizzit"
    # Both filled in differently and no history: asked about, not overwritten.
    assert manual.opponent == "Typed by hand"
    assert pending(config, conflict_type=ConflictType.DATA_MISMATCH).count() == 1


# --- the window -------------------------------------------------------------------------------
def test_the_window_starts_at_the_later_of_season_start_and_30_days_ago():
    start, end = date(2025, 8, 1), date(2026, 7, 31)
    assert game_window(start, end, date(2025, 8, 10), 30).start == start
    window = game_window(start, end, date(2026, 1, 31), 30)
    assert (window.start, window.end) == (date(2026, 1, 1), end)
    assert game_window(start, end, date(2026, 11, 30), 30) is None  # the season is over


def test_a_season_that_ended_reads_no_events_and_says_why(db, sandbox, settings):
    settings.TWIZZIT_GAMES_LOOKBACK_DAYS = 30
    config = connect(sandbox)
    run_sync(config, SyncType.TEAMS)
    season_end = date.fromisoformat(sandbox.state.current_season["end-date"])
    # Forty days after the season's end (and before the next one is synced).
    after = datetime.combine(season_end, time(10), tzinfo=UTC) + timedelta(days=40)
    with time_machine.travel(after, tick=True):
        log = run_sync(config, SyncType.GAMES)
    assert log.status == SyncStatus.SUCCESS
    assert sandbox.state.calls()["events"] == 0
    assert "no games to read" in log.errors[-1]["message"]


def test_the_command_line_runs_a_games_sync(config, sandbox, capsys):
    call_command("twizzit_sync", "--org", str(config.organization_id), "--type", "games", "--json")
    summary = json.loads(capsys.readouterr().out)
    assert (summary["sync_type"], summary["status"]) == ("games", "success")
    assert summary["stats"]["games"]["created"] == Game.objects.count() > 0
