"""The sandbox's events: each current team's season of fixtures, trainings and meetings.

Per team of the current season: six league or friendly matches (three at home, named
"Team - Opponent", three away, "Opponent - Team"), two trainings, and for every fourth
team a team meeting. The first team's second match is cancelled, and the first two teams
play each other once (a derby: one event, both groups). Matches of the season's first
four months carry a score, home first. Records follow the working shape of
docs/reference.md: local Brussels times "YYYY-MM-DD HH:MM:SS", the event type and sub-type as
ids, groups as objects (the derby's as bare ids), the address as a contacts-style object
at home and as text away.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from twizzit.sandbox import vocabulary as vocab

FIRST_EVENT_ID = 45_000
MATCH, TRAINING, ACTIVITY = 1, 2, 3
LEAGUE, FRIENDLY, FIELD_TRAINING, HALL_TRAINING, MEETING = 31, 32, 33, 34, 35
MATCHES_PER_TEAM = 6
SCORED_DAYS = 120  # matches this many days into the season have been played
HOME_HALL = {
    "street": "Sportlaan",
    "number": "1",
    "box": "",
    "postalCode": "2000",
    "city": "Antwerpen",
    "country": dict(vocab.BELGIUM),
}


def build_events(
    rng: random.Random, teams: list[dict], group_seasons: dict[int, int], season: dict
) -> list[dict]:
    start = date.fromisoformat(season["start-date"])
    current = [team for team in teams if group_seasons.get(team["id"]) == season["id"]]
    drafts: list[dict] = []
    for index, team in enumerate(current):
        for number in range(MATCHES_PER_TEAM):
            day = start + timedelta(days=30 + number * 40 + rng.randrange(7))
            home = number % 2 == 0
            match = _match(rng, team, rng.choice(vocab.OPPONENTS), day, home=home)
            if number == MATCHES_PER_TEAM - 1:
                match["event-sub-type"] = FRIENDLY
            if index == 0 and number == 1:
                match["cancelled"] = True
            if day < start + timedelta(days=SCORED_DAYS) and not match.get("cancelled"):
                match["score"] = f"{rng.randint(8, 25)}-{rng.randint(8, 25)}"
            drafts.append(match)
        for _ in range(2):
            day = start + timedelta(days=rng.randrange(20, 300))
            drafts.append(_training(rng, team, day))
        if index % 4 == 0:
            drafts.append(_meeting(team, start + timedelta(days=rng.randrange(20, 300))))
    if len(current) >= 2:
        home, away = _derby_pair(current)
        derby = _match(rng, home, away["name"], start + timedelta(days=95), home=True)
        derby["event-groups"] = [home["id"], away["id"]]
        drafts.append(derby)
    drafts.sort(key=lambda event: event["start"])
    event_id = FIRST_EVENT_ID
    for event in drafts:
        event_id += rng.randint(1, 4)
        event["id"] = event_id
    return [{"id": event.pop("id"), **event} for event in drafts]


def _derby_pair(teams: list[dict]) -> tuple[dict, dict]:
    """The club's first two teams of one category (e.g. Seniors 1 and 2), else its first two."""
    for index, team in enumerate(teams):
        for other in teams[index + 1 :]:
            if other["category"] == team["category"]:
                return team, other
    return teams[0], teams[1]


def new_event(event_id: int, team: dict, season: dict) -> dict:
    """A home league match of `team` two months into the season, for a test to adjust."""
    day = date.fromisoformat(season["start-date"]) + timedelta(days=60)
    event = _match(random.Random(f"added:{event_id}"), team, "Tegenstander", day, home=True)
    return {"id": event_id, **event}


def _stamp(day: date, hour: int, minute: int = 0) -> str:
    return datetime(day.year, day.month, day.day, hour, minute).strftime("%Y-%m-%d %H:%M:%S")


def _group(team: dict) -> dict:
    return {"id": team["id"], "name": team["name"]}


def _match(rng: random.Random, team: dict, opponent: str, day: date, *, home: bool) -> dict:
    hour = rng.choice((10, 13, 15))
    return {
        "name": f"{team['name']} - {opponent}" if home else f"{opponent} - {team['name']}",
        "start": _stamp(day, hour),
        "end": _stamp(day, hour + 2),
        "meeting-time": _stamp(day, hour - 1, 15),
        "description": "",
        "address": dict(HOME_HALL) if home else f"Sporthal {opponent}, 2100 Deurne",
        "score": "",
        "series": team["series"][0] if team["series"] else None,
        "event-type": MATCH,
        "event-sub-type": LEAGUE,
        "event-groups": [_group(team)],
    }


def _training(rng: random.Random, team: dict, day: date) -> dict:
    hour = rng.choice((18, 19, 20))
    return {
        "name": f"Training {team['name']}",
        "start": _stamp(day, hour),
        "end": _stamp(day, hour + 1, 30),
        "meeting-time": "",
        "description": "",
        "address": dict(HOME_HALL),
        "score": "",
        "series": None,
        "event-type": TRAINING,
        "event-sub-type": rng.choice((FIELD_TRAINING, HALL_TRAINING)),
        "event-groups": [_group(team)],
    }


def _meeting(team: dict, day: date) -> dict:
    return {
        "name": f"Ploegvergadering {team['name']}",
        "start": _stamp(day, 20),
        "end": _stamp(day, 21),
        "meeting-time": None,
        "description": "Seizoensplanning",
        "address": "Clubhuis",
        "score": None,
        "series": None,
        "event-type": ACTIVITY,
        "event-sub-type": MEETING,
        "event-groups": [_group(team)],
    }
