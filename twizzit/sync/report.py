"""What a run has done so far: counts per entity, error entries and planned changes.

The report lives in memory while the run works and is copied onto the SyncLog at every
checkpoint (once per page) and when the run ends, so the log can be read while it runs.
"""

from __future__ import annotations

ENTITIES = ("seasons", "teams", "players", "rosters", "games")
COUNTERS = (
    "fetched",
    "created",
    "updated",
    "unchanged",
    "skipped",
    "conflicts",
    "errors",
    "removed",
    "policy_decided",
    "refused",  # values Twizzit sent that ShotSpot's rules refused (the record was synced)
    "erased",  # not imported: the person was erased on request (twizzit.models.ErasedContact)
)
ERROR = "error"
WARNING = "warning"
MAX_ENTRIES = 1000
MAX_PLANNED_CHANGES = 500


class SyncReport:
    """Counters, error entries and (for dry runs) planned changes of one run."""

    def __init__(self):
        self.stats = {entity: dict.fromkeys(COUNTERS, 0) for entity in ENTITIES}
        self.entries: list[dict] = []
        self.planned_changes: list[dict] = []
        self.dropped_entries = 0
        self.failed_entities: dict[str, str] = {}

    def count(self, entity: str, counter: str, n: int = 1) -> None:
        self.stats[entity][counter] += n

    def _add(self, level: str, entity: str, twizzit_id, message: str) -> None:
        if len(self.entries) >= MAX_ENTRIES:
            self.dropped_entries += 1
            return
        self.entries.append(
            {"entity": entity, "twizzit_id": twizzit_id, "message": message, "level": level}
        )

    def error(self, entity: str, twizzit_id, message: str) -> None:
        """A record or page that could not be synced: the run becomes partial."""
        self.count(entity, "errors")
        self._add(ERROR, entity, twizzit_id, message)

    def warning(self, entity: str, twizzit_id, message: str) -> None:
        """Something skipped on purpose; the run still succeeds."""
        self._add(WARNING, entity, twizzit_id, message)

    def entity_failed(self, entity: str, reason: str) -> None:
        self.failed_entities[entity] = reason
        self.error(entity, None, reason)

    def plan(self, entity: str, twizzit_id, action: str, label: str, changes=None) -> None:
        if len(self.planned_changes) < MAX_PLANNED_CHANGES:
            change = {"entity": entity, "twizzit_id": twizzit_id, "action": action, "label": label}
            if changes:
                change["changes"] = changes
            self.planned_changes.append(change)

    @property
    def error_count(self) -> int:
        return sum(1 for entry in self.entries if entry["level"] == ERROR) + self.dropped_entries

    def processed(self) -> dict:
        return {entity: counts["fetched"] for entity, counts in self.stats.items()}


def log_summary(log) -> dict:
    """A finished SyncLog as the one JSON object `twizzit_sync --json` prints."""
    return {
        "id": log.pk,
        "status": log.status,
        "sync_type": log.sync_type,
        "dry_run": log.dry_run,
        "stats": {
            entity: {name: counts.get(name, 0) for name in COUNTERS}
            for entity, counts in ((e, log.stats.get(e, {})) for e in ENTITIES)
        },
        "api_calls": log.api_calls,
        "duration_ms": log.duration_ms,
        "message": log.message,
        "errors": [
            {"entity": e["entity"], "twizzit_id": e["twizzit_id"], "message": e["message"]}
            for e in log.errors
            if e.get("level", ERROR) == ERROR
        ],
        "warnings": [
            {"entity": e["entity"], "twizzit_id": e["twizzit_id"], "message": e["message"]}
            for e in log.errors
            if e.get("level") == WARNING
        ],
        "planned_changes": log.planned_changes if log.dry_run else [],
    }
