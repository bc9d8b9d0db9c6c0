"""ShotSpot's players, teams, seasons and games, read-only, with what the "Synced from Twizzit"
badge needs: where the row came from (`sync_source`), when a sync last confirmed it
(`last_synced_at`, from its mapping), its Twizzit id, and whether a conflict about it
waits for a person (`conflict_pending`).

The Twizzit facts come from the integration's tables through subqueries in the same SQL
statement, so a page of 200 rows costs the same two queries as a page of 10. Seasons never
have conflicts (Twizzit owns them), so theirs is always false. A game's Twizzit id is its
event's id (a derby's two games share it). Routes: /api/players/, /api/teams/,
/api/seasons/, /api/games/ (and /{id}/); same roles as the rest of the API (admins and
coaches read). A player's personal data (export, erase) is `twizzit.api.privacy`'s, admins only.

It lives on the integration's side, like `twizzit.admin.shotspot_data` for the admin:
ShotSpot's own app imports nothing of Twizzit and works with the integration removed.
"""

from __future__ import annotations

import django_filters
from django.db.models import BooleanField, Exists, OuterRef, Q, Subquery, Value
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.routers import SimpleRouter

from shotspot.models import Game, GameStatus, Player, Season, SyncSource, Team
from twizzit.api.filters import BooleanFilter, FilterSet, IdFilter
from twizzit.api.privacy import PersonalDataActions
from twizzit.api.views import TwizzitViewSet
from twizzit.models import (
    EntityType,
    EventMapping,
    PlayerMapping,
    Resolution,
    SeasonMapping,
    SyncConflict,
    TeamMapping,
)


def with_twizzit_facts(rows, mapping_model, local_attr: str, remote_attr: str, conflicts=True):
    """Annotate rows with their newest mapping's Twizzit id and sync time, and pending conflicts."""
    newest = mapping_model.objects.filter(**{local_attr: OuterRef("pk")}).order_by(
        "-last_synced_at"
    )
    pending = (
        Exists(
            SyncConflict.objects.filter(
                resolution=Resolution.PENDING, **{local_attr: OuterRef("pk")}
            )
        )
        if conflicts
        else Value(False, output_field=BooleanField())
    )
    return rows.annotate(
        twizzit_id=Subquery(newest.values(remote_attr)[:1]),
        last_synced_at=Subquery(newest.values("last_synced_at")[:1]),
        conflict_pending=pending,
    )


class TwizzitFacts(serializers.Serializer):
    """The badge's fields, read from the annotations."""

    twizzit_id = serializers.IntegerField(read_only=True, allow_null=True)
    last_synced_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When a sync last confirmed this row."
    )
    conflict_pending = serializers.BooleanField(read_only=True)


class PlayerSerializer(TwizzitFacts, serializers.ModelSerializer):
    # Plain strings: "" (unknown) is a valid value, which format "email" would deny.
    email = serializers.CharField(read_only=True, help_text="Email address, or empty.")

    class Meta:
        model = Player
        fields = [
            "id",
            "first_name",
            "last_name",
            "date_of_birth",
            "gender",
            "jersey_number",
            "email",
            "phone",
            "registration_number",
            "has_profile_image",
            "archived_at",
            "sync_source",
            "twizzit_id",
            "last_synced_at",
            "conflict_pending",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class TeamSerializer(TwizzitFacts, serializers.ModelSerializer):
    logo_url = serializers.CharField(read_only=True, help_text="Logo URL, or empty.")
    club_name = serializers.CharField(
        source="club.name", read_only=True, allow_null=True, default=None
    )
    season_name = serializers.CharField(
        source="season.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Team
        fields = [
            "id",
            "name",
            "short_name",
            "category",
            "logo_url",
            "club",
            "club_name",
            "season",
            "season_name",
            "archived_at",
            "sync_source",
            "twizzit_id",
            "last_synced_at",
            "conflict_pending",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SeasonSerializer(TwizzitFacts, serializers.ModelSerializer):
    class Meta:
        model = Season
        fields = [
            "id",
            "name",
            "start_date",
            "end_date",
            "is_current",
            "sync_source",
            "twizzit_id",
            "last_synced_at",
            "conflict_pending",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class GameSerializer(TwizzitFacts, serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    is_home = serializers.BooleanField(
        read_only=True, allow_null=True, help_text="Home game; null when it is not known."
    )

    class Meta:
        model = Game
        fields = [
            "id",
            "team",
            "team_name",
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
            "sync_source",
            "twizzit_id",
            "last_synced_at",
            "conflict_pending",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SyncedFilter(FilterSet):
    """Filters every ShotSpot list has."""

    sync_source = django_filters.ChoiceFilter(choices=SyncSource.choices)
    search = django_filters.CharFilter(
        method="filter_search", max_length=200, help_text="Name contains."
    )
    name_fields: tuple[str, ...] = ("name",)

    def filter_search(self, queryset, name, value):
        match = Q()
        for field in self.name_fields:
            match |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(match)


class PlayerFilter(SyncedFilter):
    conflict_pending = BooleanFilter()
    archived = BooleanFilter(field_name="archived_at", lookup_expr="isnull", exclude=True)
    team = IdFilter(
        field_name="memberships__team", distinct=True, help_text="On this team's roster."
    )
    name_fields = ("first_name", "last_name")

    class Meta:
        model = Player
        fields = ["sync_source", "conflict_pending", "search", "archived", "team"]


class TeamFilter(SyncedFilter):
    conflict_pending = BooleanFilter()
    archived = BooleanFilter(field_name="archived_at", lookup_expr="isnull", exclude=True)
    season = IdFilter(field_name="season_id", help_text="Season id.")

    class Meta:
        model = Team
        fields = ["sync_source", "conflict_pending", "search", "archived", "season"]


class SeasonFilter(SyncedFilter):
    is_current = BooleanFilter()

    class Meta:
        model = Season
        fields = ["sync_source", "search", "is_current"]


class GameFilter(SyncedFilter):
    team = IdFilter(field_name="team_id", help_text="Team id.")
    status = django_filters.ChoiceFilter(choices=GameStatus.choices)
    date_from = django_filters.DateFilter(
        field_name="start", lookup_expr="date__gte", help_text="Starts on or after (YYYY-MM-DD)."
    )
    date_to = django_filters.DateFilter(
        field_name="start", lookup_expr="date__lte", help_text="Starts on or before (YYYY-MM-DD)."
    )
    conflict_pending = BooleanFilter()
    name_fields = ("opponent", "team__name")

    class Meta:
        model = Game
        fields = ["sync_source", "search", "team", "status", "date_from", "date_to"]


def games_with_twizzit_facts(rows):
    """Games annotated like the others; a game's conflicts are keyed by its mapping's key."""
    rows = with_twizzit_facts(rows, EventMapping, "game", "twizzit_event_id", conflicts=False)
    keys = EventMapping.objects.filter(game=OuterRef(OuterRef("pk"))).values("twizzit_key")
    return rows.annotate(
        conflict_pending=Exists(
            SyncConflict.objects.filter(
                entity_type=EntityType.GAME, resolution=Resolution.PENDING, twizzit_id__in=keys
            )
        )
    )


class ReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TwizzitViewSet):
    coach_actions = frozenset({"list", "retrieve"})


@extend_schema_view(
    list=extend_schema(summary="List players", tags=["shotspot"]),
    retrieve=extend_schema(summary="Get a player", tags=["shotspot"]),
)
class PlayerViewSet(PersonalDataActions, ReadOnlyViewSet):
    serializer_class = PlayerSerializer
    filterset_class = PlayerFilter
    queryset = with_twizzit_facts(
        Player.objects.all(), PlayerMapping, "player", "twizzit_contact_id"
    )


@extend_schema_view(
    list=extend_schema(summary="List teams", tags=["shotspot"]),
    retrieve=extend_schema(summary="Get a team", tags=["shotspot"]),
)
class TeamViewSet(ReadOnlyViewSet):
    serializer_class = TeamSerializer
    filterset_class = TeamFilter
    queryset = with_twizzit_facts(
        Team.objects.select_related("club", "season"), TeamMapping, "team", "twizzit_group_id"
    )


@extend_schema_view(
    list=extend_schema(summary="List seasons", tags=["shotspot"]),
    retrieve=extend_schema(summary="Get a season", tags=["shotspot"]),
)
class SeasonViewSet(ReadOnlyViewSet):
    serializer_class = SeasonSerializer
    filterset_class = SeasonFilter
    queryset = with_twizzit_facts(
        Season.objects.all(), SeasonMapping, "season", "twizzit_season_id", conflicts=False
    )


@extend_schema_view(
    list=extend_schema(summary="List games", tags=["shotspot"]),
    retrieve=extend_schema(summary="Get a game", tags=["shotspot"]),
)
class GameViewSet(ReadOnlyViewSet):
    serializer_class = GameSerializer
    filterset_class = GameFilter
    queryset = games_with_twizzit_facts(Game.objects.select_related("team"))


router = SimpleRouter()
router.register("players", PlayerViewSet, basename="player")
router.register("teams", TeamViewSet, basename="team")
router.register("seasons", SeasonViewSet, basename="season")
router.register("games", GameViewSet, basename="game")
urlpatterns = router.urls
