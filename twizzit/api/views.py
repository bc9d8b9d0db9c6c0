"""The endpoints under /api/twizzit/: HTTP in, a service call, HTTP out.

Each view validates its input with a serializer, calls the service that owns the rule
(`twizzit.connections`, `twizzit.verify`, `twizzit.jobs`, `twizzit.status`,
`twizzit.sync`), and turns the result, or the service's exception, into a status code:

- a sync while another is pending or running: 409 `sync_in_progress` (with its log id);
- a sync when the month's Twizzit calls are spent: 429 `quota_exhausted`, with a
  Retry-After until the quota renews (the same status as throttling, another code);
- resolving a conflict that is already decided: 409 `already_resolved`; a resolution the
  service refuses: 400 with its messages; cancelling a finished run: 409.

Lists run a fixed number of queries whatever their length (related rows are joined, big
JSON columns the list does not show are deferred).
"""

from __future__ import annotations

from datetime import datetime, time

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from shotspot.models import Player, Team
from twizzit.api import serializers as s
from twizzit.api.errors import ApiError, from_django
from twizzit.api.filters import (
    ConflictFilter,
    PlayerMappingFilter,
    SyncLogFilter,
    TeamMappingFilter,
)
from twizzit.api.permissions import TwizzitRole
from twizzit.connections import delete_connection
from twizzit.jobs import QuotaExhausted, SyncDisabled, enqueue_conflict_resolution, enqueue_sync
from twizzit.models import (
    PlayerMapping,
    Resolution,
    SyncConflict,
    SyncLog,
    SyncStatus,
    SyncTrigger,
    TeamMapping,
    TwizzitConfig,
)
from twizzit.quota import month_of, next_month, today
from twizzit.status import connection_status
from twizzit.subjects import prefetch_local_rows
from twizzit.sync import (
    ResolutionError,
    SyncInProgress,
    relink_mapping,
    request_cancel,
    resolve_conflict,
)
from twizzit.sync.decisions import resolve_fields
from twizzit.verify import verify_config, verify_credentials

TWIZZIT_CALLS = "twizzit-calls"  # the throttle scope of actions that spend Twizzit calls


def error(description: str, serializer=s.ErrorSerializer) -> OpenApiResponse:
    return OpenApiResponse(serializer, description=description)


def seconds_until_quota_renews() -> int:
    renews = datetime.combine(next_month(month_of(today())), time.min)
    renews = timezone.make_aware(renews, timezone.get_current_timezone())
    return max(int((renews - timezone.now()).total_seconds()), 1)


class TwizzitViewSet(viewsets.GenericViewSet):
    """What every viewset here shares: the role check and the throttle scope hook."""

    permission_classes = [TwizzitRole]
    coach_actions: frozenset[str] = frozenset()
    throttle_scope = None  # set per action for those that spend Twizzit calls

    def filter_queryset(self, queryset):
        # Query filters narrow lists; an id in the path finds its row whatever they say
        # (a resolved conflict is not "pending by default" gone).
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


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
        return Response(connection_status(self.get_object()))


@extend_schema_view(
    list=extend_schema(summary="List sync runs", tags=["syncs"]),
    retrieve=extend_schema(
        summary="Get a sync run",
        tags=["syncs"],
        description="With its error entries and, for a dry run, the planned changes.",
    ),
)
class SyncLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TwizzitViewSet):
    """Sync runs, newest first."""

    filterset_class = SyncLogFilter
    coach_actions = frozenset({"list", "retrieve", "cancel"})

    def get_queryset(self):
        logs = SyncLog.objects.select_related("config", "triggered_by")
        if self.action == "list":
            logs = logs.defer("errors", "planned_changes", "progress")
        return logs

    def get_serializer_class(self):
        return s.SyncLogSerializer if self.action == "list" else s.SyncLogDetailSerializer

    @extend_schema(
        summary="Cancel a sync",
        tags=["syncs"],
        description=(
            "A pending run is cancelled at once; a running one stops at its next page "
            "(`cancel_requested` is true until then) and keeps what it already wrote."
        ),
        request=None,
        responses={200: s.SyncLogDetailSerializer, 409: error("The run already finished.")},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        log = self.get_object()
        if log.is_active:
            log = request_cancel(log)
        if not log.is_active and log.status != SyncStatus.CANCELLED:
            raise ApiError(
                f"Sync #{log.pk} already finished ({log.status}); there is nothing to cancel.",
                status=409,
                code="already_finished",
            )
        return Response(s.SyncLogDetailSerializer(log).data)


@extend_schema_view(
    list=extend_schema(
        summary="List conflicts",
        tags=["conflicts"],
        description="Pending conflicts unless `resolution` says otherwise.",
    ),
    retrieve=extend_schema(summary="Get a conflict", tags=["conflicts"]),
)
class ConflictViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TwizzitViewSet):
    """Disagreements between ShotSpot and Twizzit that a person decides."""

    queryset = SyncConflict.objects.select_related("player", "team", "resolved_by")
    serializer_class = s.ConflictSerializer
    filterset_class = ConflictFilter
    coach_actions = frozenset({"list", "retrieve"})

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            prefetch_local_rows(page)  # a page's games named in one query
        return page

    @extend_schema(
        summary="Resolve a conflict",
        operation_id="twizzit_conflicts_resolve",
        tags=["conflicts"],
        description=(
            "twizzit_wins, shotspot_wins, ignored, or manual with `values` (the fields' "
            'values for a data mismatch; {"local_id": id} to link a duplicate), or manual '
            'with `fields`: a data mismatch decided field by field ("twizzit", "shotspot" '
            'or {"value": …} for each conflicting field).'
        ),
        request=s.ResolveSerializer,
        responses={200: s.ConflictSerializer, 409: error("The conflict is already resolved.")},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        conflict = self.get_object()
        decision = s.ResolveSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        by_field = "fields" in decision.validated_data
        try:
            if by_field:
                resolve_fields(conflict, decision.validated_data["fields"], user=request.user)
            else:
                resolve_conflict(
                    conflict,
                    decision.validated_data["resolution"],
                    decision.validated_data["values"],
                    user=request.user,
                )
        except ResolutionError as exc:
            if getattr(exc, "code", None) == "resolved":
                raise ApiError(
                    " ".join(exc.messages), status=409, code="already_resolved"
                ) from None
            prefix = "fields" if by_field else "values"
            raise from_django(exc, prefix=prefix if hasattr(exc, "error_dict") else "") from None
        return Response(self.get_serializer(self.get_queryset().get(pk=conflict.pk)).data)

    @extend_schema(
        summary="Resolve many conflicts in the background",
        operation_id="twizzit_conflicts_resolve_many",
        tags=["conflicts"],
        description=(
            "Queues a task that resolves each conflict on its own (one that fails does not "
            "stop the others); the pending list shows progress."
        ),
        request=s.BulkResolveSerializer,
        responses={202: s.BulkResolveAcceptedSerializer},
    )
    @action(detail=False, methods=["post"], url_path="resolve")
    def resolve_many(self, request):
        decision = s.BulkResolveSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        ids = sorted(set(decision.validated_data["ids"]))
        pending = SyncConflict.objects.filter(pk__in=ids, resolution=Resolution.PENDING).count()
        task_id = enqueue_conflict_resolution(
            ids, decision.validated_data["resolution"], user=request.user
        )
        return Response({"task_id": task_id, "pending": pending}, status=status.HTTP_202_ACCEPTED)


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
        local = self.local_model.objects.filter(pk=local_id).first()
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
    queryset = PlayerMapping.objects.select_related("player")
    serializer_class = s.PlayerMappingSerializer
    filterset_class = PlayerMappingFilter
    local_model = Player
    relink_serializer = s.RelinkPlayerSerializer


@mapping_schema("team", s.RelinkTeamSerializer, s.TeamMappingSerializer)
class TeamMappingViewSet(MappingViewSet):
    queryset = TeamMapping.objects.select_related("team")
    serializer_class = s.TeamMappingSerializer
    filterset_class = TeamMappingFilter
    local_model = Team
    relink_serializer = s.RelinkTeamSerializer
