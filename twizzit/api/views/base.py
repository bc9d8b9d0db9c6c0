"""What every endpoint under /api/twizzit/ shares: the role check, the club scope (a user's
rows only: `twizzit.services.access.visible`), the throttle scope of actions that spend
Twizzit calls, and the documented error responses."""

from __future__ import annotations

from datetime import datetime, time

from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiResponse,
)
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied

from twizzit.api import serializers as s
from twizzit.api.permissions import TwizzitRole
from twizzit.models.usage import renews_on
from twizzit.services.access import ADMIN, visible

COACHES_MAY = "Only Twizzit admins may do this; coaches may read, sync and cancel."
TWIZZIT_CALLS = "twizzit-calls"  # the throttle scope of actions that spend Twizzit calls


def error(description: str, serializer=s.ErrorSerializer) -> OpenApiResponse:
    return OpenApiResponse(serializer, description=description)


def seconds_until_quota_renews() -> int:
    renews = datetime.combine(renews_on(), time.min)
    renews = timezone.make_aware(renews, timezone.get_current_timezone())
    return max(int((renews - timezone.now()).total_seconds()), 1)


class TwizzitViewSet(viewsets.GenericViewSet):
    """What every viewset here shares: the role check and the throttle scope hook."""

    permission_classes = [TwizzitRole]
    coach_actions: frozenset[str] = frozenset()
    throttle_scope = None  # set per action for those that spend Twizzit calls

    def filter_queryset(self, queryset):
        # The club scope first, for lists and ids alike: another club's row is not there
        # (404, its existence not disclosed). Then query filters narrow lists; an id in
        # the path finds its row whatever they say (a resolved conflict is not gone).
        queryset = visible(queryset, self.request.user)
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        # A coach of this club who is an admin elsewhere still may not act as its admin.
        rows = type(obj)._default_manager.filter(pk=obj.pk)
        if self.action not in self.coach_actions and not visible(rows, request.user, ADMIN):
            raise PermissionDenied(COACHES_MAY)
