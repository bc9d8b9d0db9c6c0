"""Re-syncing selected records: only the Twizzit contacts and groups a person picked.

A run of type "selected" carries the ids it was asked for on its SyncLog
(`selection = {"contact_ids": [...], "group_ids": [...]}`). It fetches only those
records (`contact-ids[]` / `group-ids[]`, as many ids per call as fit the URL budget), and
runs them through the same importers as a full sync: the three-way merge, conflicts, the
connection's policy, the hashes that skip unchanged records. For the selected teams it
then reads their rosters again (`group-contacts` of exactly those groups), and removes a
Twizzit membership only when that complete roster no longer lists it.

What it never does is judge deletions: a listing of a few ids says nothing about the rest,
and a requested id Twizzit does not return may be filtered out, moved or deleted. Such an
id is reported on the log as "not found in Twizzit"; only a full sync, whose listing is
complete, can raise a `deleted_in_twizzit` conflict for it.

Phases: teams (with the seasons they need, when not mapped yet), players, rosters of the
selected teams; each only when its ids were asked for.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from twizzit.mappers import groups, rosters
from twizzit.mappers.base import MappingError
from twizzit.models import (
    SeasonMapping,
    TeamMapping,
)
from twizzit.sync.entities import PlayerImporter, SeasonImporter, TeamImporter
from twizzit.sync.rosters import RosterImporter, followed_teams

# A selection is for a handful of records, not a full sync in disguise.
MAX_SELECTED = 1000
# Twizzit groups of type 1 are teams (as in the full sync).
TEAM_GROUP_TYPE = 1
# The fetched groups are imported in pages of this size (they are few: all in memory).
PAGE = 250
SELECTION_KEYS = {"contact_ids": "contact", "group_ids": "group"}


class SelectionError(ValidationError):
    """The ids asked for cannot make a selected-records sync."""


def clean_selection(selection) -> dict:
    """{"contact_ids": [...], "group_ids": [...]}: positive integers, deduplicated, sorted."""
    if not isinstance(selection, dict):
        raise SelectionError("A selected-records sync needs contact_ids or group_ids.")
    unknown = set(selection) - set(SELECTION_KEYS)
    if unknown:
        raise SelectionError(f"Unknown selection keys: {', '.join(sorted(unknown))}.")
    cleaned = {}
    for key, kind in SELECTION_KEYS.items():
        ids = selection.get(key) or []
        if isinstance(ids, str | bytes) or not hasattr(ids, "__iter__"):
            raise SelectionError(f"{key} must be a list of Twizzit {kind} ids.")
        ids = list(ids)
        if any(isinstance(i, bool) or not isinstance(i, int) or i < 1 for i in ids):
            raise SelectionError(f"{key} must hold positive whole numbers (Twizzit {kind} ids).")
        ids = sorted(set(ids))
        if len(ids) > MAX_SELECTED:
            raise SelectionError(
                f"At most {MAX_SELECTED} {kind} ids per selected sync ({len(ids)} given); "
                "a full sync is cheaper for that many."
            )
        if ids:
            cleaned[key] = ids
    if not cleaned:
        raise SelectionError("A selected-records sync needs contact_ids or group_ids.")
    return cleaned


def phases(selection: dict) -> list[str]:
    """The engine's phases for this selection: entity names, in dependency order."""
    wanted = []
    if selection.get("group_ids"):
        wanted += ["teams"]
    if selection.get("contact_ids"):
        wanted += ["players"]
    if selection.get("group_ids"):
        wanted += ["rosters"]
    return wanted


def run_phase(engine, phase: str) -> None:
    """Run one phase of a selected sync for `engine` (a `SyncEngine`)."""
    {"teams": sync_teams, "players": sync_players, "rosters": sync_rosters}[phase](engine)


def report_missing(report, entity: str, kind: str, asked: list[int], seen: set[int]) -> None:
    for twizzit_id in sorted(set(asked) - seen):
        report.count(entity, "skipped")
        report.warning(
            entity,
            twizzit_id,
            f"{kind} {twizzit_id} not found in Twizzit; nothing was changed (only a full "
            "sync judges whether it was deleted).",
        )


class SelectedTeamImporter(TeamImporter):
    """A team whose group answers `season: null` keeps the season its mapping knows."""

    def __init__(self, ctx, *, known_seasons: dict[int, int | None], **kwargs):
        super().__init__(ctx, **kwargs)
        self.known_seasons = known_seasons

    def twizzit_season_of(self, mapped):
        return mapped.refs.get("season_id") or self.known_seasons.get(mapped.twizzit_id)


def sync_teams(engine) -> None:
    ctx, client = engine.ctx, engine.client
    asked = ctx.log.selection.get("group_ids", [])
    records = [
        record
        for page in client.iter_groups_by_id(asked, group_type=TEAM_GROUP_TYPE)
        for record in page
    ]
    engine.checkpoint()
    known_seasons = dict(
        TeamMapping.objects.filter(config=ctx.config, twizzit_group_id__in=asked).values_list(
            "twizzit_group_id", "twizzit_season_id"
        )
    )
    wanted_seasons = {
        record["season"].get("id")
        for record in records
        if isinstance(record, dict) and isinstance(record.get("season"), dict)
    }
    wanted_seasons = {season for season in wanted_seasons if isinstance(season, int)}
    mapped_seasons = set(
        SeasonMapping.objects.filter(
            config=ctx.config, twizzit_season_id__in=wanted_seasons
        ).values_list("twizzit_season_id", flat=True)
    )
    if wanted_seasons - mapped_seasons:
        # A team of a season ShotSpot does not have yet: that season first (one call).
        SeasonImporter(ctx).import_page(
            client.seasons(season_ids=sorted(wanted_seasons - mapped_seasons))
        )
    category_ids = sorted(
        {
            r["category"]
            for r in records
            if isinstance(r, dict) and isinstance(r.get("category"), int)
        }
    )
    names = (
        groups.category_names_by_id(
            client.group_categories(category_ids=category_ids, group_type=TEAM_GROUP_TYPE)
        )
        if category_ids
        else {}
    )
    importer = SelectedTeamImporter(
        ctx,
        known_seasons=known_seasons,
        category_names=names,
        season_ids=engine.season_ids(),
    )
    for start in range(0, len(records), PAGE):
        importer.import_page(records[start : start + PAGE])
        engine.checkpoint()
    report_missing(ctx.report, "teams", "Group", asked, importer.seen)


def sync_players(engine) -> None:
    ctx = engine.ctx
    asked = ctx.log.selection.get("contact_ids", [])
    importer = PlayerImporter(ctx)
    for page in engine.client.iter_contacts_by_id(asked):
        importer.import_page(page)
        engine.checkpoint()
    report_missing(ctx.report, "players", "Contact", asked, importer.seen)


def sync_rosters(engine) -> None:
    """The complete rosters of the selected teams (never of any other team)."""
    ctx, config = engine.ctx, engine.config
    asked = ctx.log.selection.get("group_ids", [])
    if "teams" in ctx.report.failed_entities:
        return
    teams = followed_teams(config).filter(twizzit_group_id__in=asked)
    team_for_group = dict(teams.values_list("twizzit_group_id", "team_id"))
    group_ids = set(team_for_group) | (ctx.planned.get("teams", set()) & set(asked))
    if not group_ids:
        return
    try:
        roles = rosters.role_map(engine.client.contact_functions(), config.role_overrides)
    except MappingError as exc:
        ctx.report.entity_failed("rosters", f"Role overrides: {exc}")
        return
    importer = RosterImporter(ctx, roles=roles, team_for_group=team_for_group)
    for page in engine.client.iter_group_contacts(sorted(group_ids)):
        importer.import_page(page)
        engine.checkpoint()
    if not ctx.report.failed_entities and not importer.had_errors:
        importer.remove_stale()  # only the selected teams' memberships: their listing is whole
