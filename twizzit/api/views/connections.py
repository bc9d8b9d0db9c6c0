"""Connections: create, change, delete, test credentials, start and cancel syncs, status."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from twizzit.api import serializers as s
from twizzit.api.errors import ApiError
from twizzit.api.views.base import TWIZZIT_CALLS, TwizzitViewSet, error, seconds_until_quota_renews
from twizzit.models import (
    SyncTrigger,
    TwizzitConfig,
)
from twizzit.services.access import is_federation_admin
from twizzit.services.connections import delete_connection
from twizzit.services.jobs import (
    QuotaExhausted,
    SyncDisabled,
    enqueue_sync,
)
from twizzit.services.status import connection_status
from twizzit.services.verify import verify_config, verify_credentials
from twizzit.sync import (
    SyncInProgress,
)


@extend_schema_view(
    list=extend_schema(summary="List connections", tags=["connections"]),
    create=extend_schema(
        summary="Create a connection",
        tags=["connections"],
        description="The password is sealed at once and never returned.",
    ),
    retrieve=extend_schema(summary="Get a connection", tags=["connections"]),
    update=extend_schema(
        summary="Replace a connection's settings",
        tags=["connections"],
        description="Leave `api_password` out to keep the stored password.",
    ),
    partial_update=extend_schema(summary="Change some settings", tags=["connections"]),
    destroy=extend_schema(
        summary="Delete a connection",
        tags=["connections"],
        description=(
            "Deletes the connection with its mappings, sync logs and conflicts; ShotSpot's "
            "players, teams and seasons stay. Answers how many mappings were removed. "
            "Refused with 409 while a sync of the connection is pending or running."
        ),
        responses={200: s.RemovedConnectionSerializer, 409: s.SyncInProgressErrorSerializer},
    ),
)
class ConnectionViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    TwizzitViewSet,
):
    """Twizzit connections: one per organisation."""

    queryset = TwizzitConfig.objects.all()
    serializer_class = s.ConnectionSerializer
    coach_actions = frozenset({"list", "retrieve", "status", "sync", "test"})

    def get_serializer_class(self):
        if self.action == "create":
            return s.ConnectionCreateSerializer
        return super().get_serializer_class()

    def create(self, request, *args, **kwargs):
        # A new organisation belongs to no club yet: only federation admins add one.
        if not is_federation_admin(request.user):
            raise PermissionDenied("Only federation admins add connections.")
        return super().create(request, *args, **kwargs)

    def destroy(self, request, pk=None):
        try:
            removed = delete_connection(self.get_object())
        except SyncInProgress as exc:
            active = exc.active.pk if exc.active is not None else None
            raise ApiError(str(exc), status=409, code="sync_in_progress", sync_log=active) from None
        return Response(s.RemovedConnectionSerializer(removed).data)

    @extend_schema(
        summary="Test credentials before saving them",
        operation_id="twizzit_connections_test_credentials",
        tags=["connections"],
        description=(
            "Logs in to Twizzit with the given credentials and reads one record of seasons, "
            "groups and contacts. Nothing is saved. The answer is 200 whether or not the "
            "check passed: see `ok` and `problems`."
        ),
        request=s.CredentialsSerializer,
        responses={200: s.VerifyReportSerializer},
    )
    @action(detail=False, methods=["post"], url_path="test", throttle_scope=TWIZZIT_CALLS)
    def test_credentials(self, request):
        credentials = s.CredentialsSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        data = credentials.validated_data
        report = verify_credentials(
            base_url=data["api_base_url"],
            username=data["api_username"],
            password=data["api_password"],
            organization_id=data["organization_id"],
        )
        return Response(report.as_dict())

    @extend_schema(
        summary="Test a saved connection",
        operation_id="twizzit_connections_test",
        tags=["connections"],
        description=(
            "Checks the stored credentials against Twizzit (about 4 calls, counted against "
            "the monthly quota). 200 whether or not the check passed: see `ok`."
        ),
        request=None,
        responses={200: s.VerifyReportSerializer},
    )
    @action(detail=True, methods=["post"], throttle_scope=TWIZZIT_CALLS)
    def test(self, request, pk=None):
        return Response(verify_config(self.get_object()).as_dict())

    @extend_schema(
        summary="Start a sync",
        tags=["syncs"],
        description=(
            "Queues a sync for a worker and answers at once with its (pending) sync log; "
            "follow it at `Location` or with the connection's status. With `contact_ids` "
            "or `group_ids` only those Twizzit records are synced again (a run of type "
            '"selected": the selected teams\' rosters too, no deletions judged).'
        ),
        request=s.SyncRequestSerializer,
        responses={
            202: s.SyncLogDetailSerializer,
            409: error(
                "A sync of this connection is already pending or running "
                "(or, code sync_disabled, sync is switched off on it).",
                s.SyncInProgressErrorSerializer,
            ),
            429: error(
                "Throttled, or the connection's monthly Twizzit calls are spent "
                "(code quota_exhausted; Retry-After says when the quota renews)."
            ),
        },
        parameters=[
            OpenApiParameter(
                "Location",
                location=OpenApiParameter.HEADER,
                response=[202],
                description="The new sync log.",
            )
        ],
    )
    @action(detail=True, methods=["post"], throttle_scope=TWIZZIT_CALLS)
    def sync(self, request, pk=None):
        config = self.get_object()
        wanted = s.SyncRequestSerializer(data=request.data)
        wanted.is_valid(raise_exception=True)
        try:
            log = enqueue_sync(
                config,
                wanted.validated_data["type"],
                dry_run=wanted.validated_data["dry_run"],
                trigger=SyncTrigger.API,
                user=request.user,
                selection=wanted.validated_data["selection"],
            )
        except SyncInProgress as exc:
            active = exc.active.pk if exc.active is not None else None
            raise ApiError(str(exc), status=409, code="sync_in_progress", sync_log=active) from None
        except SyncDisabled as exc:
            raise ApiError(str(exc), status=409, code="sync_disabled", sync_log=None) from None
        except QuotaExhausted as exc:
            raise ApiError(
                str(exc),
                status=429,
                code="quota_exhausted",
                headers={"Retry-After": str(seconds_until_quota_renews())},
            ) from None
        location = reverse("twizzit-api:sync-log-detail", args=[log.pk])
        return Response(
            s.SyncLogDetailSerializer(log).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": request.build_absolute_uri(location)},
        )

    @extend_schema(
        summary="Where the connection stands",
        tags=["syncs"],
        description=(
            "The run in progress (with its progress), the last runs, pending conflicts, "
            "this month's Twizzit calls and the next scheduled run."
        ),
        responses={200: s.ConnectionStatusSerializer},
    )
    @action(detail=True, methods=["get"])
    def status(self, request, pk=None):
        return Response(s.ConnectionStatusSerializer(connection_status(self.get_object())).data)
