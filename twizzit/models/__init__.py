"""The integration's own records.

- `TwizzitConfig`: one connection per Twizzit organisation, with its credentials sealed
  by `twizzit.crypto`, its sync settings, and the claim that lets only one sync of the
  organisation run at a time.
- Mappings (`SeasonMapping`, `ClubMapping`, `TeamMapping`, `PlayerMapping`,
  `EventMapping`): Twizzit id ⇄
  ShotSpot row, with the hash of the last remote record and the merge base — the values
  both sides agreed on at the last sync. A mapping outlives its local row (the row
  pointer becomes NULL): that tombstone is how a sync tells "deleted in ShotSpot" from
  "new in Twizzit".
- `SyncLog`: every run, created before any work, finished in `finally`.
- `SyncConflict`: a disagreement a person decides; at most one pending per record.
- `ApiUsage`: calls spent per connection per calendar month, against its quota.
- `Notification` (defined in `twizzit.models.notifications`): every event mailed to the admins.
- `ConnectionAccess`: a user's role (club admin, coach) on one connection.
- `ErasedContact`: a Twizzit contact erased on request, which syncs no longer import.
"""

from twizzit.models.access import ConnectionAccess, ConnectionRole
from twizzit.models.conflicts import ConflictType, EntityType, Resolution, SyncConflict
from twizzit.models.connections import (
    DEFAULT_API_BASE_URL,
    MIN_SYNC_INTERVAL_MINUTES,
    PASSWORD,
    TOKEN,
    ConflictPolicy,
    SeasonScope,
    SyncFrequency,
    TwizzitConfig,
    default_monthly_limit,
)
from twizzit.models.mappings import (
    ClubMapping,
    EventMapping,
    Mapping,
    PlayerMapping,
    SeasonMapping,
    TeamMapping,
)
from twizzit.models.notifications import Notification, NotificationKind, NotificationStatus
from twizzit.models.privacy import ErasedContact
from twizzit.models.runs import ACTIVE_STATUSES, SyncLog, SyncStatus, SyncTrigger, SyncType
from twizzit.models.usage import ApiUsage

__all__ = [
    "ACTIVE_STATUSES",
    "DEFAULT_API_BASE_URL",
    "MIN_SYNC_INTERVAL_MINUTES",
    "PASSWORD",
    "TOKEN",
    "ApiUsage",
    "ClubMapping",
    "ConflictPolicy",
    "ConflictType",
    "ConnectionAccess",
    "ConnectionRole",
    "EntityType",
    "ErasedContact",
    "EventMapping",
    "Mapping",
    "Notification",
    "NotificationKind",
    "NotificationStatus",
    "PlayerMapping",
    "Resolution",
    "SeasonMapping",
    "SeasonScope",
    "SyncConflict",
    "SyncFrequency",
    "SyncLog",
    "SyncStatus",
    "SyncTrigger",
    "SyncType",
    "TeamMapping",
    "TwizzitConfig",
    "default_monthly_limit",
]
