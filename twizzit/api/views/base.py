"""What every endpoint under /api/twizzit/ shares: the role check, the throttle scope of
actions that spend Twizzit calls, and the documented error responses."""

from __future__ import annotations

from datetime import datetime, time

from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiResponse,
)
from rest_framework import viewsets

from twizzit.api import serializers as s
from twizzit.api.permissions import TwizzitRole
from twizzit.models.usage import renews_on

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
        # Query filters narrow lists; an id in the path finds its row whatever they say
        # (a resolved conflict is not "pending by default" gone).
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)
