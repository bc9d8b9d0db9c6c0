"""The importers of seasons, teams and players: names, fields and hooks on the template.

What differs between them is small: which mapper reads the record, which fields the merge
compares, how an unmapped record finds a local match, and (teams) how Twizzit's season and
club ids become local foreign keys.
"""

from __future__ import annotations

from dataclasses import replace

from shotspot.models import Club, Player, Season, Team
from twizzit.mappers import contacts, groups, seasons
from twizzit.mappers.base import record_hash
from twizzit.models import (
    ClubMapping,
    EntityType,
    ErasedContact,
    PlayerMapping,
    SeasonMapping,
    TeamMapping,
)
from twizzit.sync.importer import RecordImporter
from twizzit.sync.matching import player_candidates
from twizzit.sync.verdicts import Candidate


class SeasonImporter(RecordImporter):
    """Twizzit seasons → Season; an unmapped season links to a local one of the same name."""

    entity = "seasons"
    entity_type = EntityType.SEASON
    model = Season
    mapping_model = SeasonMapping
    remote_attr = "twizzit_season_id"
    local_attr = "season"
    fields = ("name", "start_date", "end_date", "is_current")

    def map_record(self, record):
        return seasons.map_season(record)

    def find_candidates(self, unmapped):
        names = {mapped.fields["name"] for mapped in unmapped}
        taken = SeasonMapping.objects.filter(config=self.config, season__isnull=False)
        local = Season.objects.filter(name__in=names).exclude(pk__in=taken.values("season_id"))
        by_name = {}
        for season in local:
            by_name.setdefault(season.name, []).append(Candidate(season, "name"))
        return {m.twizzit_id: by_name.get(m.fields["name"], []) for m in unmapped}


class TeamImporter(RecordImporter):
    """Twizzit groups → Team, with the season and club as local foreign keys."""

    entity = "teams"
    entity_type = EntityType.TEAM
    model = Team
    mapping_model = TeamMapping
    remote_attr = "twizzit_group_id"
    local_attr = "team"
    fields = ("name", "short_name", "category", "logo_url", "season_id", "club_id")
    mapping_extra_fields = ("twizzit_season_id",)
    archivable = True

    def __init__(self, ctx, *, category_names, season_ids, requested_season_id=None):
        super().__init__(ctx)
        self.category_names = category_names
        self.season_ids = season_ids  # Twizzit season id → local Season id
        self.requested_season_id = requested_season_id
        # Twizzit club id → local Club id; None for a club deleted in ShotSpot, which is
        # respected (its teams get no club) rather than recreated.
        self.club_ids = dict(
            ClubMapping.objects.filter(config=self.config).values_list("twizzit_club_id", "club_id")
        )

    def map_record(self, record):
        mapped = groups.map_group(record, self.category_names)
        # The category's name and the local season live elsewhere: a category renamed, or
        # the season linked since (a resolved duplicate), must count as a change. (Clubs
        # are made by the sync itself on the first page, so they do not take part.)
        season_id = self.remote_values(mapped)["season_id"]
        return replace(
            mapped,
            hash=record_hash({"group": mapped.hash, **mapped.fields, "season_id": season_id}),
        )

    def twizzit_season_of(self, mapped):
        # Some accounts answer season: null even when a season was asked for.
        return mapped.refs.get("season_id") or self.requested_season_id

    def remote_values(self, mapped):
        values = dict(mapped.fields)
        values["season_id"] = self.season_ids.get(self.twizzit_season_of(mapped))
        values["club_id"] = self.club_ids.get(mapped.refs.get("club_id"))
        return values

    def prepare(self, mapped):
        """Create a local club for each Twizzit club id never seen before."""
        new_ids = {m.refs.get("club_id") for m in mapped} - set(self.club_ids) - {None}
        if not new_ids or self.ctx.dry_run:
            return
        for club_id in sorted(new_ids):
            name = (
                self.config.organization_name
                if club_id == self.config.organization_id
                else f"Club {club_id}"
            )
            club = Club.objects.create(name=name)
            ClubMapping.objects.create(config=self.config, twizzit_club_id=club_id, club=club)
            self.club_ids[club_id] = club.pk

    def mapping_extras(self, mapped):
        return {"twizzit_season_id": self.twizzit_season_of(mapped)}

    def find_candidates(self, unmapped):
        taken = TeamMapping.objects.filter(config=self.config, team__isnull=False)
        local = (
            Team.objects.filter(
                name__in={m.fields["name"] for m in unmapped}, archived_at__isnull=True
            )
            .exclude(pk__in=taken.values("team_id"))
            .select_related("season")  # the candidates' labels name the season
        )
        by_key = {}
        for team in local:
            by_key.setdefault((team.name, team.season_id), []).append(Candidate(team, "name"))
        return {
            m.twizzit_id: by_key.get((m.fields["name"], self.remote_values(m)["season_id"]), [])
            for m in unmapped
        }

    def scoped_mappings(self):
        mappings = super().scoped_mappings()
        if self.ctx.scope_season_ids is not None:
            mappings = mappings.filter(twizzit_season_id__in=self.ctx.scope_season_ids)
        return mappings


class PlayerImporter(RecordImporter):
    """Twizzit contacts → Player; unmapped contacts are matched to avoid duplicates."""

    entity = "players"
    entity_type = EntityType.PLAYER
    model = Player
    mapping_model = PlayerMapping
    remote_attr = "twizzit_contact_id"
    local_attr = "player"
    fields = (
        "first_name",
        "last_name",
        "date_of_birth",
        "gender",
        "jersey_number",
        "email",
        "phone",
        "registration_number",
        "has_profile_image",
    )
    archivable = True
    hash_is_raw = True
    # contacts.is_valid_email is email-validator with the options of Player.email's
    # validator (shotspot/emails.py); tests/test_messy_data.py holds the two together.
    prevalidated = ("email",)

    def map_record(self, record):
        return contacts.map_contact(record)

    def label(self, values):
        return f"{values.get('first_name', '')} {values.get('last_name', '')}".strip()

    def suppressed(self, twizzit_ids):
        # One narrow query per page; the list is tiny (people erased on request).
        return set(
            ErasedContact.objects.filter(
                config=self.config, twizzit_contact_id__in=twizzit_ids
            ).values_list("twizzit_contact_id", flat=True)
        )

    def find_candidates(self, unmapped):
        found = player_candidates(self.config, unmapped)
        return {
            twizzit_id: [Candidate(player, matched_on) for player, matched_on in matches]
            for twizzit_id, matches in found.items()
        }
