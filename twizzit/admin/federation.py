"""The federation view: one row per club's connection, for federation admins only.

`/admin/twizzit/twizzitconfig/federation/`: last run and its status, success and conflict
rates over 30 days against the integration guide's targets, pending conflicts, this
month's quota, the next run; sortable (column headers), filterable by the last run's
status; the bulk actions "Test selected", "Full sync of selected" and "Pause schedules of
selected". The numbers and the actions are `twizzit.services.federation`'s.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from twizzit.models import SyncStatus, TwizzitConfig
from twizzit.services import federation
from twizzit.services.access import is_federation_admin

ACTIONS = {
    "test": ("Test selected", federation.test_selected),
    "full_sync": ("Full sync of selected", federation.full_sync_selected),
    "pause": ("Pause schedules of selected", federation.pause_selected),
}
COLUMNS = [
    ("name", "Connection"),
    ("last_run", "Last run"),
    (None, "Status"),
    ("success", "Success (30 days)"),
    ("conflicts", "Conflicts (30 days)"),
    (None, "Health"),
    ("pending", "Pending conflicts"),
    ("quota", "Calls this month"),
    ("next_run", "Next run"),
]


def url_pattern(name: str) -> str:
    """A change URL with `{}` for the id: one reverse() per page, not three per row."""
    return reverse(name, args=[999_999_999]).replace("999999999", "{}")


def moment(value) -> str:
    """A time in the configured zone, as the admin's lists show it (no seconds)."""
    return f"{timezone.localtime(value):%d %b %Y, %H:%M}"


def percent(value) -> str:
    return "—" if value is None else f"{value:.1f} %"


def federation_view(model_admin, request):
    if not is_federation_admin(request.user):
        raise PermissionDenied
    if request.method == "POST":
        return run_action(request)
    status = request.GET.get("status", "")
    sort = request.GET.get("o", "name")
    rows = federation.federation_rows(request.user, status=status, sort=sort)
    here = {"status": status} if status else {}
    columns = []
    for key, label in COLUMNS:
        url = None
        if key:
            flipped = f"-{key}" if sort == key else key
            url = "?" + urlencode({**here, "o": flipped})
        columns.append({"label": label, "url": url, "sorted": sort.lstrip("-") == key})
    filters = [{"label": "All", "url": "?" + urlencode({"o": sort}), "selected": not status}] + [
        {
            "label": label,
            "url": "?" + urlencode({"status": value, "o": sort}),
            "selected": status == value,
        }
        for value, label in federation.STATUS_FILTERS.items()
    ]
    labels = dict(SyncStatus.choices)
    change = url_pattern("admin:twizzit_twizzitconfig_change")
    log_url = url_pattern("admin:twizzit_synclog_change")
    conflicts = reverse("admin:twizzit_syncconflict_changelist") + "?config__id__exact={}"
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Federation view: all clubs",
        "is_nav_sidebar_enabled": False,  # ten columns need the page's whole width
        "opts": TwizzitConfig._meta,
        "columns": columns,
        "filters": filters,
        "actions": [(key, label) for key, (label, _) in ACTIONS.items()],
        "rows": [
            {
                "config": row,
                "url": change.format(row.pk),
                "last_run": moment(row.last_run_at) if row.last_run_at else "Never",
                "last_run_url": log_url.format(row.last_run_id) if row.last_run_id else None,
                "status": labels.get(row.last_run_status, "—"),
                "success": percent(row.success_rate),
                "runs": row.runs,
                "conflicts": percent(row.conflict_rate),
                "health": row.health,
                "pending": row.pending,
                "conflicts_url": conflicts.format(row.pk),
                "calls": row.calls,
                "limit": row.monthly_call_limit,
                "next_run": moment(row.next_run) if row.next_run else "Not scheduled",
            }
            for row in rows
        ],
    }
    return TemplateResponse(request, "admin/twizzit/federation.html", context)


def run_action(request):
    key = request.POST.get("action", "")
    ids = [value for value in request.POST.getlist("selected") if value.isdigit()]
    back = reverse("admin:twizzit_twizzitconfig_federation")
    if key not in ACTIONS or not ids:
        messages.warning(request, "Select connections and an action first.")
        return redirect(back)
    configs = list(TwizzitConfig.objects.filter(pk__in=ids).order_by("organization_name"))
    if len(configs) != len(set(ids)):
        messages.error(request, "Some selected connections do not exist: nothing was done.")
        return redirect(back)
    label, act = ACTIONS[key]
    lines = act(configs, request.user) if key == "full_sync" else act(configs)
    messages.success(request, f"{label}: " + "; ".join(lines))
    return redirect(back)
