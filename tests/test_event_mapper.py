"""The events mapper, dict in and dict out, over fixtures of every variant of the working
shape (tests/fixtures/twizzit/events.json, event_types.json, event_sub_types.json)."""

import json
from copy import deepcopy
from pathlib import Path

import pytest

from shotspot.models import Game, GameStatus
from twizzit.mappers import events
from twizzit.mappers.base import MappingError

FIXTURES = Path(__file__).parent / "fixtures" / "twizzit"


def _load(name):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


EVENTS = {record["id"]: record for record in _load("events")}
TYPES = events.names_by_id(_load("event_types"))
SUB_TYPES = events.names_by_id(_load("event_sub_types"))
KERN_A = ["Kern A", "KA"]


def event(event_id):
    return deepcopy(EVENTS[event_id])


def game_of(event_id, names=KERN_A, **changes):
    record = {**event(event_id), **changes}
    refs = events.event_refs(record)
    sub_type = SUB_TYPES.get(refs["sub_type_id"]) if refs["sub_type_id"] else None
    return events.map_game(record, team_names=names, sub_type_name=sub_type)


def is_game(event_id, overrides=None):
    refs = events.event_refs(event(event_id))
    return events.is_game(
        refs["type_id"],
        refs["sub_type_id"],
        type_names=TYPES,
        sub_type_names=SUB_TYPES,
        overrides=events.game_type_overrides(overrides or {}),
    )


def test_home_fixture_in_brussels_local_time_becomes_a_scheduled_home_game_in_utc():
    assert game_of(9001) == {
        "opponent": "Boeckenberg 2",
        "is_home": True,
        "start": "2025-10-12T13:00:00+00:00",  # 15:00 in Brussels summer time
        "end": "2025-10-12T15:00:00+00:00",
        "meeting_time": "2025-10-12T12:15:00+00:00",
        "venue": "Sportlaan 1, 2000 Antwerpen",
        "competition": "League match (series 9001)",
        "status": "scheduled",
        "home_score": None,
        "away_score": None,
    }


def test_away_fixture_with_iso_offsets_object_refs_and_a_score_is_a_played_away_game():
    game = game_of(9002)
    assert game["opponent"] == "Sikopi 1"
    assert game["is_home"] is False
    assert game["start"] == "2025-11-16T12:00:00+00:00"
    assert game["end"] == "2025-11-16T14:00:00+00:00"
    assert game["meeting_time"] is None
    assert game["venue"] == "Sporthal Sikopi, Hoboken"
    assert game["competition"] == "League match (series 9001, 9002)"
    assert (game["status"], game["home_score"], game["away_score"]) == ("played", 18, 16)
    assert events.event_refs(event(9002)) == {
        "id": 9002,
        "type_id": 1,
        "sub_type_id": 31,
        "group_ids": [301],
    }


def test_cancelled_flag_empty_times_null_address_and_unknown_keys_map_cleanly():
    game = game_of(9003)
    assert game["status"] == "cancelled"
    assert game["is_home"] is True  # "KA" is the team's short name
    assert game["opponent"] == "Scaldis"
    assert (game["end"], game["meeting_time"], game["venue"]) == (None, None, "")
    assert (game["competition"], game["home_score"]) == ("", None)
    assert events.event_refs(event(9003))["group_ids"] == [301]


def test_group_id_spelled_groupId_a_status_text_and_a_bare_meeting_clock_time_are_read():
    record = event(9004)
    assert events.event_refs(record)["group_ids"] == [302]
    game = game_of(9004, names=["U15 B"])
    assert game["status"] == "cancelled"  # "Geannuleerd"
    assert game["meeting_time"] == "2026-01-18T12:15:00+00:00"  # 13:15 on the day, winter
    assert (game["home_score"], game["away_score"]) == (12, 10)
    assert game["venue"] == "Sporthal Kwik, Kwikstraat 7 bus 2, 2600 Berchem"


def test_a_name_that_names_neither_side_as_the_team_keeps_home_or_away_unknown():
    game = game_of(9004, names=["U15 B"])
    assert game["is_home"] is None
    assert game["opponent"] == "Floriant - Kwik"


def test_a_derby_reads_from_each_team_s_side():
    assert events.event_refs(event(9006))["group_ids"] == [301, 303]
    home, away = game_of(9006, names=["Kern A"]), game_of(9006, names=["Kern B"])
    assert (home["is_home"], home["opponent"]) == (True, "Kern B")
    assert (away["is_home"], away["opponent"]) == (False, "Kern A")


def test_start_in_neither_form_is_refused_naming_the_event_not_quoting_the_value():
    with pytest.raises(MappingError, match=r"event 9007 start is not a date and time") as exc:
        game_of(9007)
    assert "12/04/2026" not in str(exc.value)


@pytest.mark.parametrize("start", [None, ""])
def test_event_without_a_start_cannot_be_a_game(start):
    with pytest.raises(MappingError, match="event 9001 has no start"):
        game_of(9001, start=start)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12-10", (12, 10)), ("12 - 10", (12, 10)), ("9:11", (9, 11)), ("", (None, None))],
)
def test_score_forms_home_first(text, expected):
    game = game_of(9001, score=text)
    assert (game["home_score"], game["away_score"]) == expected
    assert game["status"] == ("scheduled" if expected[0] is None else "played")


def test_a_score_that_is_not_a_score_is_refused():
    with pytest.raises(MappingError, match="event 9001 score is not a score like 12-10"):
        game_of(9001, score="won")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"event-groups": [{"name": "Kern A"}]}, "a group without an id"),
        ({"event-groups": "301"}, "event-groups is text, not a list"),
        ({"event-type": "match"}, "event-type is text, not an id"),
        ({"id": "9001"}, "no integer id"),
    ],
)
def test_malformed_references_are_refused(changes, message):
    with pytest.raises(MappingError, match=message):
        events.event_refs({**event(9001), **changes})


def test_series_that_is_not_an_id_is_refused_and_an_opponent_too_long_too():
    with pytest.raises(MappingError, match=r"series is .*, not a series id"):
        game_of(9001, series="A")
    with pytest.raises(MappingError, match="opponent is 205 characters long"):
        game_of(9001, name=f"Kern A - {'x' * 205}")


def test_matches_are_games_by_type_or_sub_type_in_any_language_and_trainings_are_not():
    assert is_game(9001)  # type "Wedstrijd"
    assert not is_game(9005)  # type "Training", sub-type "Zaaltraining"
    assert is_game(9008)  # type "Tournament", but sub-type "Compétition régionale"
    assert not events.names_a_match({"EN": "Team meeting", "NL": "Ploegvergadering"})
    assert events.names_a_match("MATCH AMICAL")


def test_overrides_settle_what_the_names_cannot():
    assert not is_game(9008, {"4": "skip"})
    assert is_game(9005, {2: "GAME"})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"four": "game"}, "is not an event type id"),
        ({"4": "match"}, "choose game or skip"),
        ({"4": None}, "choose game or skip"),
        (["4"], "must be an object"),
    ],
)
def test_bad_overrides_are_refused(overrides, message):
    with pytest.raises(MappingError, match=message):
        events.game_type_overrides(overrides)


def test_game_key_packs_event_and_group_and_refuses_out_of_range_groups():
    assert events.game_key(9006, 303) == 9006 * 10**9 + 303
    with pytest.raises(MappingError, match="out of range"):
        events.game_key(9006, 10**9)


def test_mapping_leaves_the_record_untouched_and_values_fit_the_model():
    for event_id in (9001, 9002, 9003, 9004, 9006):
        record = event(event_id)
        before = deepcopy(record)
        game_of(event_id)
        assert record == before
    for field, limit in events.MAX_LENGTHS.items():
        assert Game._meta.get_field(field).max_length == limit
    statuses = {game_of(i)["status"] for i in (9001, 9002, 9003)}
    assert statuses == set(GameStatus.values)
