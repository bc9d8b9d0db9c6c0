"""Conflicts: list, read and resolve them, one at a time, field by field or in bulk."""

from __future__ import annotations

from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from twizzit.api import serializers as s
from twizzit.api.errors import ApiError, from_django
from twizzit.api.filters import (
    ConflictFilter,
)
from twizzit.api.views.base import TwizzitViewSet, error
from twizzit.models import (
    Resolution,
    SyncConflict,
)
from twizzit.services.access import ADMIN, visible
from twizzit.services.jobs import (
    enqueue_conflict_resolution,
)
from twizzit.sync import (
    ResolutionError,
    resolve_conflict,
)
from twizzit.sync.field_decisions import resolve_fields


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
            SyncConflict.prefetch_local_rows(page)  # a page's games named in one query
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
        # One id of another club's (or of a club the user only coaches) refuses the whole
        # request, before anything is queued: 404, like that id alone would answer.
        existing = SyncConflict.objects.filter(pk__in=ids)
        if visible(existing, request.user, ADMIN).count() != existing.count():
            raise NotFound("Some of these conflicts are not yours to resolve; none was queued.")
        pending = SyncConflict.objects.filter(pk__in=ids, resolution=Resolution.PENDING).count()
        task_id = enqueue_conflict_resolution(
            ids, decision.validated_data["resolution"], user=request.user
        )
        return Response({"task_id": task_id, "pending": pending}, status=status.HTTP_202_ACCEPTED)
