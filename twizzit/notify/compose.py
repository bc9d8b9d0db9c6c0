"""The words of each notification: a subject, and plain-text and HTML bodies from templates.

Bodies are rendered when the event is recorded, from twizzit/templates/twizzit/email/<kind>.txt
and .html, so the record shows exactly what went out. What a mail may hold: the
connection's name, the run's type, trigger, status, reason and counts, the names of the
records in conflict, quota figures, and links into the admin (settings.SITE_URL). What it
never holds: a password, a token, a Twizzit payload. Reasons come from exception
messages, which never carry secrets on purpose; they pass the log redaction anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from twizzit.logging_filters import redact
from twizzit.models import ConflictType, NotificationKind, SyncConflict, SyncLog, TwizzitConfig

ENTITIES = ("seasons", "teams", "players", "rosters")  # in the order a run syncs them
MAX_NAMES = 10  # records named in a conflict digest; the rest are counted
MAX_LISTED = 20  # new problems listed in a run's mail; the rest are counted
COUNTERS = ("created", "updated", "unchanged", "skipped", "conflicts", "errors")


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str


def render(kind: str, context: dict) -> Mail:
    context = {**context, "kind": kind, "kind_label": NotificationKind(kind).label}
    return Mail(
        subject=" ".join(context["subject"].split())[:250],  # one header line
        text=render_to_string(f"twizzit/email/{kind}.txt", context),
        html=render_to_string(f"twizzit/email/{kind}.html", context),
    )


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z") if moment else "—"


def connection_context(config: TwizzitConfig) -> dict:
    return {
        "connection": str(config),
        "connection_url": absolute(reverse("admin:twizzit_twizzitconfig_change", args=[config.pk])),
    }


def duration(log: SyncLog) -> str:
    if log.duration_ms is None:
        return "—"
    minutes, seconds = divmod(round(log.duration_ms / 1000), 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def run_context(log: SyncLog) -> dict:
    """A run as a mail shows it: what it was, how it ended, its counts, its log's link."""
    stats = log.stats or {}
    counts = [
        {
            "entity": entity.capitalize(),
            "values": [stats[entity].get(c, 0) for c in COUNTERS],
            "summary": ", ".join(f"{stats[entity].get(c, 0)} {c}" for c in COUNTERS),
        }
        for entity in ENTITIES
        if entity in stats and any(stats[entity].get(c, 0) for c in (*COUNTERS, "fetched"))
    ]
    return {
        "run": {
            "id": log.pk,
            "type": log.get_sync_type_display(),
            "trigger": log.get_trigger_display(),
            "status": log.get_status_display(),
            "reason": redact(log.message) or "—",
            "started": local(log.started_at),
            "completed": local(log.completed_at),
            "heartbeat": local(log.heartbeat_at),
            "duration": duration(log),
            "api_calls": log.api_calls,
            "errors": sum(entity.get("errors", 0) for entity in stats.values()),
        },
        "counters": [c.capitalize() for c in COUNTERS],
        "counts": counts,
        "log_url": absolute(reverse("admin:twizzit_synclog_change", args=[log.pk])),
    }


def run_failed(
    config: TwizzitConfig, log: SyncLog, *, new: list[dict] = (), persisting: int = 0
) -> Mail:
    """A failed run, or a partial one with `new` problems (and `persisting` known ones)."""
    context = {**connection_context(config), **run_context(log)}
    context["new_problems"] = [
        {
            "entity": str(entry.get("entity", "")).capitalize(),
            "twizzit_id": entry.get("twizzit_id"),
            "message": redact(str(entry.get("message", ""))),
        }
        for entry in new[:MAX_LISTED]
    ]
    context["more_new"] = max(len(new) - MAX_LISTED, 0)
    context["persisting"] = persisting
    ending = "failed" if log.status == "failed" else "ended with errors"
    context["subject"] = f"[ShotSpot] {config.organization_name}: sync #{log.pk} {ending}"
    return render(NotificationKind.RUN_FAILED, context)


def run_stale(config: TwizzitConfig, log: SyncLog) -> Mail:
    context = {**connection_context(config), **run_context(log)}
    context["lease_seconds"] = settings.TWIZZIT_SYNC_LEASE_SECONDS
    context["subject"] = (
        f"[ShotSpot] {config.organization_name}: sync #{log.pk} stopped (its worker went silent)"
    )
    return render(NotificationKind.RUN_STALE, context)


def recovered(config: TwizzitConfig, log: SyncLog, previous: SyncLog) -> Mail:
    context = {**connection_context(config), **run_context(log)}
    context["previous"] = {
        "id": previous.pk,
        "status": previous.get_status_display(),
        "completed": local(previous.completed_at),
        "url": absolute(reverse("admin:twizzit_synclog_change", args=[previous.pk])),
    }
    context["subject"] = f"[ShotSpot] {config.organization_name}: syncs are back to normal"
    return render(NotificationKind.RECOVERED, context)


def conflict_label(conflict: SyncConflict) -> str:
    """The record's name and nothing more: no values from either side."""
    if conflict.local_row() is not None:
        return conflict.subject_name()
    return f"{conflict.twizzit_record()} in Twizzit"


def conflicts(config: TwizzitConfig, log: SyncLog, new: list[SyncConflict]) -> Mail:
    SyncConflict.prefetch_local_rows(new[:MAX_NAMES])
    by_type = {}
    for conflict in new:
        by_type[conflict.conflict_type] = by_type.get(conflict.conflict_type, 0) + 1
    query = f"?config__id__exact={config.pk}&resolution__exact=pending"
    context = {
        **connection_context(config),
        **run_context(log),
        "total": len(new),
        "by_type": [
            {"label": ConflictType(kind).label, "count": count}
            for kind, count in sorted(by_type.items(), key=lambda item: -item[1])
        ],
        "names": [
            {"name": conflict_label(c), "type": c.get_conflict_type_display()}
            for c in new[:MAX_NAMES]
        ],
        "more": max(len(new) - MAX_NAMES, 0),
        "list_url": absolute(reverse("admin:twizzit_syncconflict_changelist") + query),
    }
    noun = "conflict" if len(new) == 1 else "conflicts"
    context["subject"] = f"[ShotSpot] {config.organization_name}: {len(new)} new {noun} to decide"
    return render(NotificationKind.CONFLICTS, context)


def quota(kind: str, config: TwizzitConfig, *, month, renews, calls: int, limit: int) -> Mail:
    context = {
        **connection_context(config),
        "month": f"{month:%B %Y}",
        "renews": f"{renews:%Y-%m-%d}",
        "calls": calls,
        "limit": limit,
        "percent": calls * 100 // limit if limit else 100,  # 99 % until it is all spent
        "has_schedule": config.syncs_by_itself,
    }
    if kind == NotificationKind.QUOTA_SPENT:
        context["subject"] = (
            f"[ShotSpot] {config.organization_name}: Twizzit calls for {month:%B} are spent; "
            f"syncs resume on {renews:%Y-%m-%d}"
        )
    else:
        context["subject"] = (
            f"[ShotSpot] {config.organization_name}: {context['percent']} % of the Twizzit "
            f"calls for {month:%B} are used"
        )
    return render(kind, context)
