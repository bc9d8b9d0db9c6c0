"""The sync engine's public face: run a sync, resolve conflicts, fix mappings.

from twizzit.sync import run_sync, resolve_conflict
"""

from twizzit.sync.engine import run_sync
from twizzit.sync.resolution import (
    ResolutionError,
    relink_mapping,
    resolve_conflict,
    resolve_conflicts,
)
from twizzit.sync.runs import SyncCancelled, SyncInProgress, request_cancel

__all__ = [
    "ResolutionError",
    "SyncCancelled",
    "SyncInProgress",
    "relink_mapping",
    "request_cancel",
    "resolve_conflict",
    "resolve_conflicts",
    "run_sync",
]
