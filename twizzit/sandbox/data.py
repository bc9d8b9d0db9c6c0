"""Deterministic Twizzit data: the same seed always builds the same organisation.

`generate(seed, contacts, groups)` builds one korfball club in the record shapes of
the real Twizzit v2 API (see /work/shared/twizzit-api.md), quirks included: unused
e-mail slots present as `{"target": null, "email": ""}`, some dates of birth null,
`attributes` sometimes `{}` instead of `[]`, country codes "0" or "" on phones, camelCase
inside kebab-case records.

Each kind of record draws from its own `random.Random` stream, so the first 200
contacts are the same whether 200 or 201 are asked for, and the number of teams does
not change who the members are.

`groups=N` is the number of teams in the current season; the previous season gets
N // 2 and the one before N // 4; the oldest season has none. Roster links come to
about 1.5 per contact: most members play in one current team, some in two, many
played last season too, and every team has a coach.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from twizzit.sandbox import vocabulary as vocab
from twizzit.sandbox.events import build_events
from twizzit.sandbox.messy import messy_members
from twizzit.sandbox.people import build_contact

ORGANIZATION_ID = 1001
ORGANIZATION_NAME = "KBKB Sandbox Club"
# A club's own organisation: its teams belong to the club itself, so the sync names the
# club after the organisation (a real name, not "Club <id>").
CLUB_ID = ORGANIZATION_ID
SEASON_START_MONTH = 8  # Belgian korfball seasons run August to July
SEASON_COUNT = 4

PLAYER, COACH, TEAM_MANAGER, REFEREE = (function[0] for function in vocab.CONTACT_FUNCTIONS)
COMPETITIVE, RECREATIONAL, SUPPORTING = (kind[0] for kind in vocab.MEMBERSHIP_TYPES)

FIRST_CONTACT_ID = 2_100_000
FIRST_MESSY_CONTACT_ID = 2_900_001  # the members with messy values (`messy.py`)
FIRST_GROUP_ID = 61_000
FIRST_MEMBERSHIP_ID = 880_000


@dataclass
class SandboxData:
    """Every record the sandbox serves, per endpoint, in the API's own shapes."""

    organizations: list[dict]
    seasons: list[dict]
    group_types: list[dict]
    group_categories: list[dict]
    groups: list[dict]
    contacts: list[dict]
    group_contacts: list[dict]
    contact_functions: list[dict]
    memberships: list[dict]
    membership_types: list[dict]
    event_types: list[dict]
    event_sub_types: list[dict]
    events: list[dict]
    # The season each group belongs to, kept apart from the record because a test may
    # set a group's `season` to null (as some accounts see it) and still filter by season.
    group_seasons: dict[int, int] = field(default_factory=dict)


def generate(
    seed: int = 1,
    contacts: int = 300,
    groups: int = 24,
    current_season: int | None = None,
    *,
    messy: bool = False,
) -> SandboxData:
    """The sandbox's records; `messy` adds one member per kind of messy value
    (`messy.KINDS`), each on a current team's roster, after everything else is drawn.

    `current_season` is the start year of the current season; by default the August-July
    season that holds today, so the demo's games lie around today on any day of the year.
    """
    if contacts < 0 or groups < 0:
        raise ValueError("contacts and groups cannot be negative")
    if current_season is None:
        current_season = season_holding(date.today())
    seasons = build_seasons(current_season)
    people = [
        build_contact(rng, contact_id, current_season)
        for rng, contact_id in _numbered(random.Random(f"{seed}:contacts"), contacts)
    ]
    teams, group_seasons = build_groups(random.Random(f"{seed}:groups"), groups, seasons)
    links = build_rosters(
        random.Random(f"{seed}:rosters"), people, teams, group_seasons, seasons, current_season
    )
    if messy:
        extra = messy_members(FIRST_MESSY_CONTACT_ID, current_season)
        people += extra
        current = [team for team in teams if group_seasons[team["id"]] == seasons[-1]["id"]]
        for index, contact in enumerate(extra if current else []):
            team = current[index % len(current)]
            links.append(
                {"groupId": team["id"], "contactId": contact["id"], "contactFunctionId": PLAYER}
            )
    player_ids = {link["contactId"] for link in links if link["contactFunctionId"] == PLAYER}
    return SandboxData(
        organizations=[{"id": ORGANIZATION_ID, "name": ORGANIZATION_NAME}],
        seasons=seasons,
        group_types=[dict(vocab.TEAM_TYPE), dict(vocab.COMMITTEE_TYPE)],
        group_categories=build_group_categories(),
        groups=teams,
        contacts=people,
        group_contacts=links,
        contact_functions=build_contact_functions(),
        memberships=build_memberships(
            random.Random(f"{seed}:memberships"), people, player_ids, seasons
        ),
        membership_types=build_membership_types(),
        event_types=[dict(kind) for kind in vocab.EVENT_TYPES],
        event_sub_types=build_event_sub_types(),
        events=build_events(random.Random(f"{seed}:events"), teams, group_seasons, seasons[-1]),
        group_seasons=group_seasons,
    )


def _numbered(rng: random.Random, count: int, first: int = FIRST_CONTACT_ID):
    """Yield (rng, id) `count` times; ids rise with small gaps, like real ones."""
    current = first
    for _ in range(count):
        current += rng.randint(1, 3)
        yield rng, current


# --- seasons, categories, functions, types ---------------------------------------------
def season_holding(day: date) -> int:
    """The start year of the August-July season that holds `day`."""
    return day.year if day.month >= SEASON_START_MONTH else day.year - 1


def season_id(start_year: int) -> int:
    return 8000 + start_year - 2000


def build_seasons(current_season: int) -> list[dict]:
    seasons = []
    for start_year in range(current_season - SEASON_COUNT + 1, current_season + 1):
        seasons.append(
            {
                "id": season_id(start_year),
                "name": f"{start_year}-{start_year + 1}",
                "start-date": f"{start_year}-08-01",
                "end-date": f"{start_year + 1}-07-31",
                "active": start_year == current_season,
                "organizations": [ORGANIZATION_ID],
                "current-organizations": [ORGANIZATION_ID],
            }
        )
    return seasons


def season_summary(season: dict) -> dict:
    """The short season object embedded in a group record."""
    return {key: season[key] for key in ("id", "name", "active", "start-date", "end-date")}


def build_group_categories() -> list[dict]:
    categories = [
        {
            "id": category_id,
            "name": vocab.language_map(en, nl, fr),
            "color": colour,
            "group-type": dict(vocab.TEAM_TYPE),
        }
        for category_id, en, nl, fr, colour, _ in vocab.CATEGORIES
    ]
    category_id, en, nl, fr, colour, _ = vocab.COMMITTEE_CATEGORY
    categories.append(
        {
            "id": category_id,
            "name": vocab.language_map(en, nl, fr),
            "color": colour,
            "group-type": dict(vocab.COMMITTEE_TYPE),
        }
    )
    return categories


def build_contact_functions() -> list[dict]:
    return [
        {
            "id": function_id,
            "name": vocab.language_map(en, nl, fr),
            "type": kind,
            "active": True,
            "organizations": [ORGANIZATION_ID],
        }
        for function_id, en, nl, fr, kind in vocab.CONTACT_FUNCTIONS
    ]


def build_membership_types() -> list[dict]:
    return [
        {
            "id": type_id,
            "name": vocab.language_map(en, nl, fr),
            "type": 1,
            "duration": 1,
            "duration-unit": "year",
            "end-date": "",
            "transfer-date": "",
        }
        for type_id, en, nl, fr in vocab.MEMBERSHIP_TYPES
    ]


def build_event_sub_types() -> list[dict]:
    return [
        {
            "id": sub_type_id,
            "name": vocab.language_map(en, nl, fr),
            "color": colour,
            "active": True,
            "event-type": event_type,
            "organizations": [ORGANIZATION_ID],
        }
        for sub_type_id, en, nl, fr, colour, event_type in vocab.EVENT_SUB_TYPES
    ]


# --- groups and rosters ------------------------------------------------------------------
def teams_per_season(groups: int) -> list[int]:
    """Teams per season, oldest first: none, N // 4, N // 2, N (current)."""
    counts = [0] + [groups // 2**back for back in range(SEASON_COUNT - 2, -1, -1)]
    return counts[-SEASON_COUNT:]


def build_groups(
    rng: random.Random, groups: int, seasons: list[dict]
) -> tuple[list[dict], dict[int, int]]:
    records, group_seasons = [], {}
    group_id = FIRST_GROUP_ID
    for season, count in zip(seasons, teams_per_season(groups), strict=True):
        for index in range(count):
            category_id, _, label, _, _, _ = vocab.CATEGORIES[index % len(vocab.CATEGORIES)]
            rank = index // len(vocab.CATEGORIES)
            group_id += rng.randint(1, 5)
            records.append(_group(rng, group_id, season, category_id, label, rank))
            group_seasons[group_id] = season["id"]
    return records, group_seasons


def _group(
    rng: random.Random, group_id: int, season: dict, category_id: int, label: str, rank: int
) -> dict:
    if category_id in (301, 308):  # adult teams are numbered, youth teams lettered
        suffix = str(rank + 1)
    else:
        suffix = chr(ord("A") + rank) if rank < 26 else str(rank + 1)
    series_base = 600 + (category_id - 300) * 2
    return {
        "id": group_id,
        "name": f"{label} {suffix}",
        "short-name": f"{label[:3]}{suffix}".replace(" ", ""),
        "image": (
            f"https://app.twizzit.com/images/groups/{group_id}.png" if rng.random() < 0.4 else None
        ),
        "category": category_id,
        "club": CLUB_ID,
        "season": season_summary(season),
        "series": [series_base, series_base + 1] if rng.random() < 0.8 else [],
        "extra-field-values": [],
    }


def category_for_age(age: int | None) -> int | None:
    """The youth category a member of this age plays in; None for adults or unknown."""
    if age is None:
        return None
    youth = sorted((c for c in vocab.CATEGORIES if c[5] is not None), key=lambda c: c[5])
    for category in youth:
        if age < category[5]:
            return category[0]
    return None


def build_rosters(
    rng: random.Random,
    people: list[dict],
    teams: list[dict],
    group_seasons: dict[int, int],
    seasons: list[dict],
    current_season: int,
) -> list[dict]:
    by_season: dict[int, list[dict]] = {season["id"]: [] for season in seasons}
    for team in teams:
        by_season[group_seasons[team["id"]]].append(team)
    current = by_season[seasons[-1]["id"]]
    current_ids = {team["id"] for team in current}
    earlier = [by_season[season["id"]] for season in reversed(seasons[:-1])]
    # Per team, the (contact, function) pairs in the order they joined; a dict keeps
    # both the order and the uniqueness of a roster line.
    links: dict[int, dict[tuple[int, int], None]] = {team["id"]: {} for team in teams}

    def link(team: dict, contact: dict, function_id: int) -> None:
        links[team["id"]][(contact["id"], function_id)] = None

    current_by_category: dict[int, list[dict]] = {}
    for team in current:
        current_by_category.setdefault(team["category"], []).append(team)
    adults = []
    for contact in people:
        age = _age(contact, current_season)
        if age is None or age >= 18:
            adults.append(contact)
        if current and rng.random() < 0.9:
            link(_team_for(rng, age, current, current_by_category), contact, PLAYER)
            if rng.random() < 0.1:
                link(rng.choice(current), contact, PLAYER)
        past = [season_teams for season_teams in earlier if season_teams]
        if past and rng.random() < 0.4:
            season_teams = past[0] if rng.random() < 0.7 or len(past) == 1 else past[1]
            link(rng.choice(season_teams), contact, PLAYER)
    staff_pool = adults or people
    for index, team in enumerate(teams):
        if not staff_pool:
            break
        link(team, rng.choice(staff_pool), COACH)
        if team["id"] in current_ids:
            if rng.random() < 0.5:
                link(team, rng.choice(staff_pool), COACH)
            if rng.random() < 0.3:
                link(team, rng.choice(staff_pool), TEAM_MANAGER)
            if index % 8 == 0:
                link(team, rng.choice(staff_pool), REFEREE)
    return [
        {"groupId": team["id"], "contactId": contact_id, "contactFunctionId": function_id}
        for team in teams
        for contact_id, function_id in links[team["id"]]
    ]


def _age(contact: dict, current_season: int) -> int | None:
    born = contact["date-of-birth"]
    return None if born is None else current_season - int(born[:4])


def _team_for(
    rng: random.Random, age: int | None, current: list[dict], by_category: dict[int, list[dict]]
) -> dict:
    category = category_for_age(age)
    if category is None:  # adults (and unknown ages) play seniors, some recreational
        category = 308 if rng.random() < 0.25 and 308 in by_category else 301
    return rng.choice(by_category.get(category) or current)


# --- memberships --------------------------------------------------------------
def build_memberships(
    rng: random.Random, people: list[dict], player_ids: set[int], seasons: list[dict]
) -> list[dict]:
    """About 85% of contacts hold a current membership; some are open-ended."""
    records = []
    membership_id = FIRST_MEMBERSHIP_ID
    current, previous = seasons[-1], seasons[-2] if len(seasons) > 1 else None
    for contact in people:
        kind = (
            COMPETITIVE if contact["id"] in player_ids else rng.choice((RECREATIONAL, SUPPORTING))
        )
        held = []
        if previous and rng.random() < 0.5:
            held.append((previous, previous["start-date"], previous["end-date"]))
        roll = rng.random()
        if roll < 0.05:
            held.append((None, f"{int(current['start-date'][:4]) - rng.randint(1, 6)}-09-01", ""))
        elif roll < 0.85:
            start = date.fromisoformat(current["start-date"]) + timedelta(days=rng.randrange(90))
            held.append((current, start.isoformat(), current["end-date"]))
        for season, start_date, end_date in held:
            membership_id += rng.randint(1, 2)
            records.append(
                {
                    "id": membership_id,
                    "contact-id": contact["id"],
                    "membership-type-id": kind,
                    "season-id": season["id"] if season else None,
                    "start-date": start_date,
                    "end-date": end_date,
                    "club-id": CLUB_ID,
                    "extra-field-values": [],
                }
            )
    return records


def new_membership(membership_id: int, contact_id: int, season: dict) -> dict:
    """A current membership for a contact a test adds."""
    return {
        "id": membership_id,
        "contact-id": contact_id,
        "membership-type-id": COMPETITIVE,
        "season-id": season["id"],
        "start-date": season["start-date"],
        "end-date": season["end-date"],
        "club-id": CLUB_ID,
        "extra-field-values": [],
    }
