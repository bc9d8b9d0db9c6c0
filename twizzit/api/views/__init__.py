"""The endpoints under /api/twizzit/: HTTP in, a service call, HTTP out.

Each view validates its input with a serializer, calls the service that owns the rule
(`twizzit.services.connections`, `.verify`, `.jobs`, `.status`, `twizzit.sync`), and
turns the result, or the service's exception, into a status code:

- a sync while another is pending or running: 409 `sync_in_progress` (with its log id);
- a sync when the month's Twizzit calls are spent: 429 `quota_exhausted`, with a
  Retry-After until the quota renews (the same status as throttling, another code);
- resolving a conflict that is already decided: 409 `already_resolved`; a resolution the
  service refuses: 400 with its messages; cancelling a finished run: 409.

Club roles (`access.py`) are managed by federation admins only.

Lists run a fixed number of queries whatever their length (related rows are joined, big
JSON columns the list does not show are deferred).
"""

from twizzit.api.views.access import AccessViewSet
from twizzit.api.views.base import TWIZZIT_CALLS, TwizzitViewSet
from twizzit.api.views.conflicts import ConflictViewSet
from twizzit.api.views.connections import ConnectionViewSet
from twizzit.api.views.mappings import MappingViewSet, PlayerMappingViewSet, TeamMappingViewSet
from twizzit.api.views.syncs import SyncLogViewSet

__all__ = [
    "TWIZZIT_CALLS",
    "AccessViewSet",
    "ConflictViewSet",
    "ConnectionViewSet",
    "MappingViewSet",
    "PlayerMappingViewSet",
    "SyncLogViewSet",
    "TeamMappingViewSet",
    "TwizzitViewSet",
]
