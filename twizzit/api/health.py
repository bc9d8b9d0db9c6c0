"""`/health/`: the service's checks for load balancers, container probes and monitoring.

A plain Django view, not a REST API endpoint: no login, no throttle (a load balancer
polls every few seconds), never cached. 200 when every check holds, 503 with the failing
ones named otherwise (`twizzit.services.health` has the checks and what they read):

    {"status": "failing", "failing": ["workers"],
     "checks": {"database": {"ok": true, "detail": "reachable"}, ...}}

`?check=database&check=broker` runs only those checks: a probe that asks whether this
web process can serve (the Dockerfile's HEALTHCHECK) should not restart it because the
workers are down.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from twizzit.services.health import CHECK_NAMES, health


@never_cache
@require_GET
def health_view(request):
    asked = tuple(request.GET.getlist("check")) or CHECK_NAMES
    unknown = [name for name in asked if name not in CHECK_NAMES]
    if unknown:
        return JsonResponse(
            {
                "detail": f"Unknown check: {', '.join(unknown)}. "
                f"Known checks: {', '.join(CHECK_NAMES)}.",
                "code": "unknown_check",
            },
            status=400,
        )
    report = health(only=asked)
    return JsonResponse(report.as_dict(), status=200 if report.ok else 503)


urlpatterns = [path("", health_view, name="health")]
