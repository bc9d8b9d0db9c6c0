"""How run records read on an admin page: seconds, local times, coloured statuses, tables.

Sync logs keep counts and progress as JSON and durations in milliseconds; a person reads
neither. These helpers turn them into the values the admin templates show: durations in
seconds, moments in the configured time zone, a status badge, counts as table rows, and
how far a running sync has come (its phase among the phases of its type).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.html import format_html

from twizzit.models import SyncLog, SyncStatus, SyncType
from twizzit.sync.engine import PHASES, SCOPE_SWITCHES
from twizzit.sync.report import COUNTERS, ENTITIES
from twizzit.sync.selected import phases as selected_phases

# Counters shown per entity, in this order (policy_decided is folded into "updated").
SHOWN_COUNTERS = ("fetched", "created", "updated", "unchanged", "skipped", "conflicts")
SHOWN_COUNTERS += ("errors", "removed")
assert set(SHOWN_COUNTERS) <= set(COUNTERS)

STATUS_COLOURS = {
    SyncStatus.PENDING: "#6c757d",
    SyncStatus.RUNNING: "#0d6efd",
    SyncStatus.SUCCESS: "#198754",
    SyncStatus.PARTIAL: "#d39e00",
    SyncStatus.FAILED: "#dc3545",
    SyncStatus.CANCELLED: "#868e96",
}


def seconds(duration_ms: int | None) -> str:
    """'12.3 s' from milliseconds; '—' when unknown."""
    if duration_ms is None:
        return "—"
    return f"{duration_ms / 1000:.1f} s"


def age_in_seconds(moment: datetime | None, now: datetime | None = None) -> str:
    if moment is None:
        return "—"
    elapsed = ((now or timezone.now()) - moment).total_seconds()
    return f"{max(elapsed, 0):.0f} s"


def status_badge(status: str) -> str:
    label = SyncStatus(status).label if status in SyncStatus.values else status
    return format_html(
        '<span class="twz-status" style="background:{}">{}</span>',
        STATUS_COLOURS.get(status, "#6c757d"),
        label,
    )


def total(stats: dict, counter: str) -> int:
    """One counter summed over the entities of a run's stats."""
    return sum((counts or {}).get(counter, 0) for counts in (stats or {}).values())


def count_rows(stats: dict) -> list[dict]:
    """[{entity, counts: [...]}] in the order seasons, teams, players, rosters, then others."""
    stats = stats or {}
    names = [e for e in ENTITIES if e in stats] + [e for e in stats if e not in ENTITIES]
    rows = []
    for name in names:
        counts = stats[name] or {}
        values = [counts.get(counter, 0) for counter in SHOWN_COUNTERS]
        updated = SHOWN_COUNTERS.index("updated")
        values[updated] += counts.get("policy_decided", 0)
        rows.append({"entity": name.capitalize(), "counts": values})
    return rows


def counter_labels() -> list[str]:
    return [counter.capitalize() for counter in SHOWN_COUNTERS]


def phases_of(sync_type: str, config=None) -> list[str]:
    """The phases a run of this type goes through (the engine's rule for full syncs)."""
    phases = list(PHASES.get(sync_type, ()))
    if sync_type == SyncType.FULL and config is not None:
        phases = [
            p for p in phases if p not in SCOPE_SWITCHES or getattr(config, SCOPE_SWITCHES[p])
        ]
    return phases


def progress_of(log: SyncLog) -> dict:
    """Phase, records per entity so far, and a percentage by finished phases."""
    progress = log.progress or {}
    if log.sync_type == SyncType.SELECTED:  # its phases follow what was selected
        phases = selected_phases(log.selection or {})
    else:
        phases = phases_of(log.sync_type, log.config)
    phase = progress.get("phase")
    if log.status == SyncStatus.PENDING:
        percent, phase_label = 0, "waiting for a worker"
    elif phase in phases:
        percent = round(100 * phases.index(phase) / len(phases)) or 3
        phase_label = f"{phase} ({phases.index(phase) + 1} of {len(phases)})"
    elif phase == "done":
        percent, phase_label = 100, "finishing"
    else:
        percent, phase_label = 3, "starting"
    processed = progress.get("processed") or {}
    return {
        "phase": phase_label,
        "percent": percent,
        "processed": [
            {"entity": name.capitalize(), "count": processed.get(name, 0)}
            for name in phases or processed
        ],
    }
