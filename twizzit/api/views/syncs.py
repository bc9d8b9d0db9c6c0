"""Sync logs: the runs of the connections, with their counts, entries and planned changes."""

from __future__ import annotations

from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from twizzit.api import serializers as s
from twizzit.api.errors import ApiError
from twizzit.api.filters import (
    SyncLogFilter,
)
from twizzit.api.views.base import TwizzitViewSet, error
from twizzit.models import (
    SyncLog,
    SyncStatus,
)
from twizzit.sync import (
    request_cancel,
)


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
