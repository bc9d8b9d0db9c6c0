"""Player and team mappings: which Twizzit record a ShotSpot row mirrors, and relinking."""

from __future__ import annotations

from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from shotspot.models import Player, Team
from twizzit.api import serializers as s
from twizzit.api.errors import from_django
from twizzit.api.filters import (
    PlayerMappingFilter,
    TeamMappingFilter,
)
from twizzit.api.views.base import TwizzitViewSet
from twizzit.models import (
    PlayerMapping,
    TeamMapping,
)
from twizzit.services.access import visible
from twizzit.sync import (
    ResolutionError,
    relink_mapping,
)


class MappingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TwizzitViewSet):
    """Twizzit id ⇄ ShotSpot row; PATCH points a mapping at another row (a wrong link)."""

    http_method_names = ["get", "patch", "head", "options"]
    coach_actions = frozenset({"list", "retrieve"})
    local_model: type = None
    relink_serializer: type = None

    def partial_update(self, request, pk=None):
        mapping = self.get_object()
        target = self.relink_serializer(data=request.data)
        target.is_valid(raise_exception=True)
        ((field, local_id),) = target.validated_data.items()
        # Only a row the user sees: another club's player "does not exist" here either.
        local = visible(self.local_model.objects.filter(pk=local_id), request.user).first()
        if local is None:
            raise ValidationError({field: [f"There is no {field} #{local_id}."]})
        try:
            relink_mapping(mapping, local)
        except ResolutionError as exc:
            raise from_django(exc, prefix=field) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=mapping.pk)).data)


def mapping_schema(kind: str, relink, response):
    return extend_schema_view(
        list=extend_schema(summary=f"List {kind} mappings", tags=["mappings"]),
        retrieve=extend_schema(summary=f"Get a {kind} mapping", tags=["mappings"]),
        partial_update=extend_schema(
            summary=f"Point a {kind} mapping at another ShotSpot {kind}",
            tags=["mappings"],
            description=(
                f"Fixes a wrong link (a duplicate): 400 when that {kind} does not exist or "
                "is already linked to another Twizzit record of this connection."
            ),
            request=relink,
            responses={200: response},
        ),
    )


@mapping_schema("player", s.RelinkPlayerSerializer, s.PlayerMappingSerializer)
class PlayerMappingViewSet(MappingViewSet):
    queryset = PlayerMapping.objects.select_related("player").order_by("pk")
    serializer_class = s.PlayerMappingSerializer
    filterset_class = PlayerMappingFilter
    local_model = Player
    relink_serializer = s.RelinkPlayerSerializer


@mapping_schema("team", s.RelinkTeamSerializer, s.TeamMappingSerializer)
class TeamMappingViewSet(MappingViewSet):
    queryset = TeamMapping.objects.select_related("team").order_by("pk")
    serializer_class = s.TeamMappingSerializer
    filterset_class = TeamMappingFilter
    local_model = Team
    relink_serializer = s.RelinkTeamSerializer
