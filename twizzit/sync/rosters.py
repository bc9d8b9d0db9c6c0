"""Rosters: Twizzit group-contacts → ShotSpot TeamMembership rows.

A link becomes a membership of the mapped team and the mapped player, in the role its
contact function names. A link to a team or player ShotSpot does not have is skipped with
a warning. Memberships are only ever created or removed when they came from Twizzit: a
membership made by hand is never touched, and one Twizzit no longer lists is removed only
after a complete listing in a run where nothing else failed.
"""

from __future__ import annotations

from functools import cached_property

from django.db import transaction

from shotspot.models import SyncSource, TeamMembership
from twizzit.mappers import rosters
from twizzit.mappers.base import MappingError
from twizzit.models import (
    ConflictType,
    EntityType,
    PlayerMapping,
    Resolution,
    SyncConflict,
    TeamMapping,
)

ENTITY = "rosters"
CHUNK = 500


def followed_teams(config):
    """The team mappings whose roster and games a run reads.

    A team ShotSpot deleted or archived, or one whose Twizzit changes are ignored, is left
    out; so is a team gone from Twizzit whose deletion a person has yet to decide: its
    roster and games stay as they are until then.
    """
    undecided = SyncConflict.objects.filter(
        config=config,
        entity_type=EntityType.TEAM,
        conflict_type=ConflictType.DELETED_IN_TWIZZIT,
        resolution=Resolution.PENDING,
    ).values("twizzit_id")
    return TeamMapping.objects.filter(
        config=config, team__isnull=False, ignore_remote=False, team__archived_at__isnull=True
    ).exclude(twizzit_group_id__in=undecided)


class RosterImporter:
    """Creates memberships page by page and removes stale ones at the end."""

    def __init__(self, ctx, *, roles: dict[int, str], team_for_group: dict[int, int]):
        self.ctx = ctx
        self.config = ctx.config
        self.report = ctx.report
        self.roles = roles
        self.team_for_group = team_for_group
        self.wanted: set[tuple[int, int, str]] = set()
        self.had_errors = False  # an unreadable row: the listing cannot prove a removal

    def import_page(self, rows: list) -> None:
        report = self.report
        report.count(ENTITY, "fetched", len(rows))
        links = []
        for row in rows:
            try:
                links.append(rosters.map_group_contact(row))
            except MappingError as exc:
                self.had_errors = True
                report.error(ENTITY, None, str(exc))
        player_for_contact = self.player_for_contact
        planned_teams = self.ctx.planned.get("teams", set())
        planned_players = self.ctx.planned.get("players", set())

        page_wanted, planned = set(), 0
        for group_id, contact_id, function_id in links:
            role = rosters.role_for(function_id, self.roles)
            team_id = self.team_for_group.get(group_id)
            player_id = player_for_contact.get(contact_id)
            if team_id is not None and player_id is not None:
                page_wanted.add((team_id, player_id, role))
            elif self.ctx.dry_run and (
                (team_id or group_id in planned_teams)
                and (player_id or contact_id in planned_players)
            ):
                planned += 1
                report.plan(ENTITY, contact_id, "create", f"group {group_id} as {role}")
            else:
                report.count(ENTITY, "skipped")
                missing = "team" if team_id is None else "player"
                report.warning(
                    ENTITY,
                    contact_id,
                    f"link of contact {contact_id} to group {group_id} skipped: "
                    f"the {missing} is not synced to ShotSpot",
                )
        self.wanted |= page_wanted
        new = page_wanted - self.existing(page_wanted)
        report.count(ENTITY, "created", len(new) + planned)
        report.count(ENTITY, "unchanged", len(page_wanted) - len(new))
        if self.ctx.dry_run:
            for team_id, player_id, role in sorted(new):
                report.plan(
                    ENTITY, None, "create", f"player {player_id} in team {team_id} as {role}"
                )
            return
        if new:
            TeamMembership.objects.bulk_create(
                [
                    TeamMembership(
                        team_id=team_id,
                        player_id=player_id,
                        role=role,
                        sync_source=SyncSource.TWIZZIT,
                    )
                    for team_id, player_id, role in new
                ],
                ignore_conflicts=True,  # a manual membership with the same role already exists
            )
            self.present |= new

    @cached_property
    def player_for_contact(self) -> dict[int, int]:
        """Twizzit contact id → Player id, read once: the players phase is over by now."""
        return dict(
            PlayerMapping.objects.filter(config=self.config, player__isnull=False)
            .values_list("twizzit_contact_id", "player_id")
            .iterator(chunk_size=5000)
        )

    @cached_property
    def present(self) -> set[tuple[int, int, str]]:
        """The synced teams' memberships, read once per run and kept up to date as pages
        add to them: one query instead of one per page, which grew with the club."""
        return set(
            TeamMembership.objects.filter(team_id__in=set(self.team_for_group.values()))
            .values_list("team_id", "player_id", "role")
            .iterator(chunk_size=5000)
        )

    def existing(self, links: set[tuple[int, int, str]]) -> set[tuple[int, int, str]]:
        return self.present & links if links else set()

    def remove_stale(self) -> None:
        """Remove Twizzit memberships of the synced teams that Twizzit no longer lists."""
        stale = [
            pk
            for pk, team_id, player_id, role in TeamMembership.objects.filter(
                team_id__in=set(self.team_for_group.values()), sync_source=SyncSource.TWIZZIT
            )
            .values_list("pk", "team_id", "player_id", "role")
            .iterator(chunk_size=2000)
            if (team_id, player_id, role) not in self.wanted
        ]
        self.report.count(ENTITY, "removed", len(stale))
        if self.ctx.dry_run:
            for pk in stale[:50]:
                self.report.plan(ENTITY, None, "remove", f"membership {pk}")
            return
        for start in range(0, len(stale), CHUNK):
            with transaction.atomic():
                TeamMembership.objects.filter(pk__in=stale[start : start + CHUNK]).delete()
