"""The games phase: Twizzit events of the synced teams become ShotSpot games.

Which events: those starting in the *window* — from the current season's start, or
`TWIZZIT_GAMES_LOOKBACK_DAYS` (30) days ago if that is later, to the season's end — that
are linked to a team this connection syncs and whose type names a match (see
`twizzit.mappers.events`). Trainings, meetings and events of other groups are counted as
skipped. An event of several synced teams (a derby) is one game per team.

How: the same importer as players and teams (`importer.RecordImporter`): an
`EventMapping` per (event, team) with a hash and a merge base, the three-way merge,
conflicts under the policy, dry runs and error entries. Two rules are the games' own:

- a score from Twizzit fills the scores only while ShotSpot has none: a score recorded in
  ShotSpot is never changed or disputed by the sync;
- an event gone from a complete listing of the window is *deleted in Twizzit*: a
  conflict, or under "Twizzit wins" the game's status becomes cancelled. A game is never
  deleted by a sync. A listing that fails judges nothing.

The event types and sub-types are read once per run, and only when an event of a synced
team needs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from shotspot.models import Game, GameStatus
from twizzit.mappers import events
from twizzit.mappers.base import Mapped, MappingError, is_int, record_hash
from twizzit.models import (
    EntityType,
    EventMapping,
    SeasonMapping,
)
from twizzit.sync.importer import RecordImporter
from twizzit.sync.rosters import followed_teams
from twizzit.sync.verdicts import Candidate

ENTITY = "games"
SCORES = ("home_score", "away_score")


@dataclass(frozen=True)
class Window:
    """The days whose events a run reads, both inclusive."""

    start: date
    end: date

    def bounds(self) -> tuple[datetime, datetime]:
        """The window as aware datetimes in the configured zone: [start, end + 1 day)."""
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, zone),
            datetime.combine(self.end + timedelta(days=1), time.min, zone),
        )


def game_window(
    season_start: date | None, season_end: date | None, today: date, lookback_days: int
) -> Window | None:
    """From the season's start or `lookback_days` ago (the later) to the season's end.

    None when the season is already over. A season without an end date reads a year ahead.
    """
    start = today - timedelta(days=lookback_days)
    if season_start is not None:
        start = max(start, season_start)
    end = season_end if season_end is not None else today + timedelta(days=365)
    return Window(start, end) if start <= end else None


class Classifier:
    """Tells games from trainings; reads event types and sub-types once, when first needed."""

    def __init__(self, client, overrides: dict[int, bool]):
        self.client = client
        self.overrides = overrides
        self._types: dict | None = None
        self._sub_types: dict | None = None
        self._decided: dict[tuple, bool] = {}

    @property
    def types(self) -> dict:
        if self._types is None:
            self._types = events.names_by_id(self.client.event_types())
        return self._types

    @property
    def sub_types(self) -> dict:
        if self._sub_types is None:
            self._sub_types = events.names_by_id(self.client.event_sub_types())
        return self._sub_types

    def is_game(self, type_id, sub_type_id) -> bool:
        if type_id in self.overrides:
            return self.overrides[type_id]
        kind = (type_id, sub_type_id)
        if kind not in self._decided:  # a club has a handful of kinds, not one per event
            self._decided[kind] = events.is_game(
                type_id,
                sub_type_id,
                type_names=self.types,
                sub_type_names=self.sub_types if sub_type_id is not None else {},
                overrides={},
            )
        return self._decided[kind]

    def prepare(self, records: list, teams) -> None:
        """Read the type lists a page will need, in the thread that fetches the pages.

        The games listing is prefetched: the client belongs to the fetching thread while
        it runs, so the lookups `is_game` and `sub_type_name` make lazily happen here,
        for exactly the records they would be made for, and are cached before the page
        is handed over.
        """
        for record in records:
            try:
                refs = events.event_refs(record)
            except MappingError:
                continue  # reported when the page is imported
            if not any(group in teams for group in refs["group_ids"]):
                continue
            type_id, sub_type_id = refs["type_id"], refs["sub_type_id"]
            if type_id not in self.overrides:
                self.types  # noqa: B018 - loads and caches the list
            if sub_type_id is not None and self.overrides.get(type_id, True):
                self.sub_types  # noqa: B018

    def sub_type_name(self, sub_type_id):
        return None if sub_type_id is None else self.sub_types.get(sub_type_id)


class GameImporter(RecordImporter):
    """(event, synced team) → Game; records are routed per team by `import_events`."""

    entity = ENTITY
    entity_type = EntityType.GAME
    model = Game
    mapping_model = EventMapping
    remote_attr = "twizzit_key"
    local_attr = "game"
    fields = (
        "team_id",
        "opponent",
        "is_home",
        "start",
        "end",
        "meeting_time",
        "venue",
        "competition",
        "status",
        "home_score",
        "away_score",
    )
    mapping_extra_fields = ("twizzit_event_id", "twizzit_group_id")
    archivable = True  # judged after a complete listing; "retired" means cancelled

    def subject(self, mapped: Mapped) -> str:
        # The ids a person finds in Twizzit, not the (event, group) key.
        event, group = divmod(mapped.twizzit_id, events.KEY_FACTOR)
        return f"game of event {event} (group {group})"

    def __init__(self, ctx, *, teams: dict[int, tuple[int, list[str]]], classifier, window):
        super().__init__(ctx)
        self.teams = teams  # Twizzit group id → (local Team id, the team's names)
        self.classifier = classifier
        self.window = window
        self.unreadable: set[int] = set()  # events that could not be read: never judged
        self.seen_events: set[int] = set()
        self.premapped: dict[int, Mapped] = {}

    # --- routing events to teams ------------------------------------------------------
    def import_events(self, records: list) -> None:
        """Route a page of events to the synced teams; a bad event costs one entry.

        Entries name the Twizzit event (the id a person finds in Twizzit), not the
        per-team key: an event that cannot be read is one error however many of our
        teams it names, and an event listed twice is synced once, with one warning.
        """
        per_team = []
        for record in records:
            event_id = record.get("id") if isinstance(record, dict) else None
            try:
                refs = events.event_refs(record)
                if refs["id"] in self.seen_events:
                    self.report.warning(
                        self.entity,
                        refs["id"],
                        f"Twizzit event {refs['id']} is listed more than once; "
                        "only its first listing was synced",
                    )
                    continue
                self.seen_events.add(refs["id"])
                ours = [group for group in refs["group_ids"] if group in self.teams]
                if ours and self.classifier.is_game(refs["type_id"], refs["sub_type_id"]):
                    routed = [
                        {"id": events.game_key(refs["id"], group), "event": record, "group": group}
                        for group in ours
                    ]
                    for item in routed:  # mapped here, so a bad event is named once
                        self.premapped[item["id"]] = self.map_event(item)
                    per_team.extend(routed)
                else:
                    self.report.count(self.entity, "skipped")
            except MappingError as exc:
                if is_int(event_id):
                    self.unreadable.add(event_id)
                self.report.error(self.entity, event_id, str(exc))
        # "fetched" counts events; import_page counts the per-team records it is given.
        self.report.count(self.entity, "fetched", len(records) - len(per_team))
        self.import_page(per_team)

    def map_record(self, record) -> Mapped:
        mapped = self.premapped.pop(record["id"], None)
        return mapped if mapped is not None else self.map_event(record)

    def map_event(self, record) -> Mapped:
        event, group = record["event"], record["group"]
        team_id, names = self.teams[group]
        sub_type_name = self.classifier.sub_type_name(events.event_refs(event)["sub_type_id"])
        fields = events.map_game(event, team_names=names, sub_type_name=sub_type_name)
        fields = {"team_id": team_id, **fields}
        return Mapped(
            twizzit_id=record["id"],
            fields=fields,
            refs={"event_id": event["id"], "group_id": group},
            # What the fields are read from besides the event: the team and sub-type names.
            hash=record_hash(
                {
                    "event": event,
                    "group": group,
                    "team": [team_id, *names],
                    "sub_type": sub_type_name,
                }
            ),
        )

    def mapping_extras(self, mapped: Mapped) -> dict:
        return {
            "twizzit_event_id": mapped.refs["event_id"],
            "twizzit_group_id": mapped.refs["group_id"],
        }

    def label(self, values: dict) -> str:
        return f"vs {values.get('opponent', '')} on {str(values.get('start') or '')[:10]}"

    def find_candidates(self, unmapped: list[Mapped]) -> dict[int, list[Candidate]]:
        """A game typed in by hand for the same team on the same day is the same game."""
        starts = [datetime.fromisoformat(m.fields["start"]) for m in unmapped]
        # An anti-join, not a NOT IN over every mapped game: its cost stays per page.
        taken = EventMapping.objects.filter(config=self.config, game=OuterRef("pk"))
        local = Game.objects.filter(
            team_id__in={m.fields["team_id"] for m in unmapped},
            start__gte=min(starts) - timedelta(days=1),
            start__lte=max(starts) + timedelta(days=1),
        ).exclude(Exists(taken))
        by_day: dict[tuple, list[Candidate]] = {}
        for game in local.select_related("team"):
            key = (game.team_id, timezone.localtime(game.start).date())
            by_day.setdefault(key, []).append(Candidate(game, "team and day"))
        return {
            m.twizzit_id: by_day.get((m.fields["team_id"], timezone.localtime(start).date()), [])
            for m, start in zip(unmapped, starts, strict=True)
        }

    # --- the games' own rules ----------------------------------------------------------
    def decide(self, work, mappings):
        decisions = super().decide(work, mappings)
        for decision in decisions:
            local, result = decision.local, decision.result
            if local is None or result is None:
                continue
            if local.home_score is None and local.away_score is None:
                continue
            # ShotSpot recorded a score: Twizzit's never changes or disputes it.
            for name in SCORES:
                result.apply.pop(name, None)
                result.conflicts.pop(name, None)
                if name in result.policy_decided:
                    result.policy_decided.remove(name)
                result.base[name] = decision.remote[name]
            decision.conflict = self.mismatch(decision.mapped, local, result)
        return decisions

    retired_label = "cancelled"

    @staticmethod
    def retire(game) -> list[str]:
        """What "Twizzit wins" does to a game gone from Twizzit: it is cancelled."""
        game.status = GameStatus.CANCELLED
        return ["status"]

    @staticmethod
    def is_retired(game) -> bool:
        return game.status == GameStatus.CANCELLED

    # --- deletions in Twizzit -----------------------------------------------------------
    def scoped_mappings(self):
        start, end = self.window.bounds()
        return (
            super()
            .scoped_mappings()
            .filter(
                twizzit_group_id__in=list(self.teams), game__start__gte=start, game__start__lt=end
            )
        )

    def missing(self) -> dict[int, int]:
        return {
            pk: key
            for pk, key in super().missing().items()
            if key // events.KEY_FACTOR not in self.unreadable
        }


def synced_teams(config) -> dict[int, tuple[int, list[str]]]:
    """Twizzit group id → (Team id, its names) of the teams whose games a run reads
    (`rosters.followed_teams`: the same teams whose rosters it reads)."""
    rows = followed_teams(config).values_list(
        "twizzit_group_id", "team_id", "team__name", "team__short_name"
    )
    return {group: (team, [n for n in (name, short) if n]) for group, team, name, short in rows}


def current_window(config) -> tuple[Window | None, str]:
    """The run's window, or None with the reason in words."""
    season = (
        SeasonMapping.objects.filter(config=config, season__is_current=True)
        .select_related("season")
        .order_by("-season__start_date")
        .first()
    )
    if season is None:
        return None, "No current season is synced, so there is no window to read games in."
    lookback = settings.TWIZZIT_GAMES_LOOKBACK_DAYS
    window = game_window(
        season.season.start_date, season.season.end_date, timezone.localdate(), lookback
    )
    if window is None:
        return None, (
            f"The current season ({season.season}) ended more than {lookback} days ago: "
            "no games to read."
        )
    return window, ""


def sync_games(ctx, client, import_pages) -> None:
    """The phase: list the window's events page by page, then judge what is gone.

    `import_pages` is the engine's: the next page is fetched while one is written.
    """
    report = ctx.report
    try:
        overrides = events.game_type_overrides(ctx.config.event_type_overrides or {})
    except MappingError as exc:
        report.entity_failed(ENTITY, f"Event type overrides: {exc}")
        return
    window, reason = current_window(ctx.config)
    if window is None:
        if "seasons" in report.failed_entities:  # no window because Twizzit failed us
            report.entity_failed(ENTITY, f"Games not read: {reason[0].lower()}{reason[1:]}")
        else:  # between seasons: nothing to read
            report.warning(ENTITY, None, reason)
        return
    teams = synced_teams(ctx.config)
    if not teams:
        return
    importer = GameImporter(
        ctx, teams=teams, classifier=Classifier(client, overrides), window=window
    )
    classifier = importer.classifier

    def listing():
        for page in client.iter_events(start_date=window.start, end_date=window.end):
            classifier.prepare(page, teams)
            yield page

    import_pages(importer, listing, write=importer.import_events)
    importer.judge_deletions()
