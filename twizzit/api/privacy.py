"""A player's personal data under the GDPR over REST: export and erase (admins only).

    GET  /api/players/{id}/personal-data/   everything held about the player, with sources
    POST /api/players/{id}/erase/           {"confirm": true}: erase them and every copy

Coaches may read players but not these: only the Twizzit admin role (superusers, the
`twizzit-admin` group) reaches them. The rules are `twizzit.services.privacy`'s, the same
the admin's action and `manage.py privacy` call.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from twizzit.api.errors import ApiError
from twizzit.api.views.base import error
from twizzit.services.privacy import erasure, export


class EraseSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(
        help_text="Must be true: the erasure cannot be undone (the club must also remove "
        "the member in Twizzit)."
    )

    def validate_confirm(self, value):
        if value is not True:
            raise serializers.ValidationError("Set confirm to true to erase this person.")
        return value


class SuppressedSerializer(serializers.Serializer):
    organisation = serializers.CharField()
    twizzit_contact_id = serializers.IntegerField()


class ErasedSerializer(serializers.Serializer):
    erased_player_id = serializers.IntegerField()
    not_imported_again = SuppressedSerializer(
        many=True, help_text="Twizzit contacts later syncs skip until an admin lifts it."
    )
    removed = serializers.DictField(
        child=serializers.IntegerField(), help_text="Copies removed, per kind."
    )
    message = serializers.CharField()


class PersonalDataActions:
    """Mixed into the players' viewset; neither action is a coach action."""

    @extend_schema(
        summary="Download a player's personal data",
        tags=["shotspot"],
        responses={200: OpenApiTypes.OBJECT, 403: error("Not a Twizzit admin.")},
    )
    @action(detail=True, methods=["get"], url_path="personal-data")
    def personal_data(self, request, pk=None):
        player = self.get_object()
        filename = f"personal-data-player-{player.pk}.json"
        return Response(
            export.export_player(player),
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @extend_schema(
        summary="Erase a player and every copy of their personal data",
        tags=["shotspot"],
        request=EraseSerializer,
        responses={
            200: ErasedSerializer,
            400: error("confirm was not true."),
            403: error("Not a Twizzit admin."),
            409: error("A sync of one of the player's connections is running."),
        },
    )
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None):
        player = self.get_object()
        EraseSerializer(data=request.data).is_valid(raise_exception=True)
        player_id = player.pk
        try:
            result = erasure.erase_player(player, user=request.user)
        except erasure.ErasureRefused as exc:
            raise ApiError(str(exc), status=409, code="sync_running") from None
        return Response(
            ErasedSerializer(
                {
                    "erased_player_id": player_id,
                    "not_imported_again": [
                        {"organisation": org, "twizzit_contact_id": contact}
                        for org, contact in result.suppressed
                    ],
                    "removed": result.removed,
                    "message": "Erased. Remove the member in Twizzit too; until then syncs "
                    "skip the contact and count it as erased.",
                }
            ).data
        )
