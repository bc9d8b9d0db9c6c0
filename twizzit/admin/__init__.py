"""The Django admin for club and federation admins.

Branding and the admin index's "needs attention" panel live in `site.py`; a connection's
change page is the cockpit that tests it and starts and follows its syncs
(`connections.py`); run records (sync logs, API usage) are read-only because only the
sync writes them (`runs.py`); conflicts are decided on a review screen that calls the
same resolution service as the REST API (`conflicts.py`, `review.py`); ShotSpot's players
and teams gain their Twizzit badge, conflict marker, box and "Re-sync selected from
Twizzit" action from `shotspot_data.py`; mappings in `mappings.py`; what was mailed to
the admins is listed read-only (`notifications.py`); erasing and exporting a member's
personal data, the erased contacts and the retention page (`privacy.py`). Each club sees
its own: every admin here is scoped by `scope.py`; roles per connection are edited on the
user's and the connection's page (`access.py`); the federation view (`federation.py`).
"""

from twizzit.admin import (  # noqa: F401
    access,
    conflicts,
    connections,
    mappings,
    notifications,
    privacy,
    runs,
    shotspot_data,
    site,
)
