"""Club roles over REST, for federation admins: who is club admin or coach of which connection.

    GET    /api/twizzit/access/          every role (filter ?connection=ID, ?user=NAME)
    POST   /api/twizzit/access/          {"user": NAME, "connection": ID, "role": "admin"|"coach"}
    DELETE /api/twizzit/access/{id}/

Only federation admins (superusers, `twizzit-admin`) reach these: a role decides which
club's members a person reads. Granting is `twizzit.services.access.grant`.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from twizzit.api.views.base import TwizzitViewSet
from twizzit.models import ConnectionAccess, ConnectionRole, TwizzitConfig
from twizzit.services.access import grant, is_federation_admin


class FederationAdminOnly(BasePermission):
    message = "Only federation admins manage club roles."

    def has_permission(self, request, view) -> bool:
        return is_federation_admin(request.user)


class AccessSerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.all(), help_text="Username."
    )
    connection = serializers.PrimaryKeyRelatedField(
        source="config", queryset=TwizzitConfig.objects.all(), help_text="Connection id."
    )
    role = serializers.ChoiceField(choices=ConnectionRole.choices)

    class Meta:
        model = ConnectionAccess
        fields = ["id", "user", "connection", "role", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators = []  # a second grant replaces the role (grant), it is no error


@extend_schema_view(
    list=extend_schema(summary="List club roles", tags=["access"]),
    create=extend_schema(
        summary="Give a user a role on a connection",
        tags=["access"],
        description="Replaces the role the user held on that connection, if any.",
    ),
    destroy=extend_schema(summary="Take a club role away", tags=["access"]),
)
class AccessViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, TwizzitViewSet
):
    queryset = ConnectionAccess.objects.select_related("user", "config").order_by("pk")
    serializer_class = AccessSerializer
    permission_classes = [FederationAdminOnly]

    def get_queryset(self):
        rows = super().get_queryset()
        if "connection" in self.request.query_params:
            rows = rows.filter(config_id=self.request.query_params["connection"])
        if "user" in self.request.query_params:
            rows = rows.filter(user__username=self.request.query_params["user"])
        return rows

    def create(self, request, *args, **kwargs):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        access = grant(data["user"], data["config"], data["role"])
        return Response(self.get_serializer(access).data, status=status.HTTP_201_CREATED)
