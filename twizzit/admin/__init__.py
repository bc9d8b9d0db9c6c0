"""The Django admin for club and federation admins.

Connections are edited with a write-only password field; run records (sync logs, API
usage) are read-only because only the sync writes them; conflicts are decided on a review
screen that calls the same resolution service as the REST API (`conflicts.py`); what was
mailed to the admins is listed read-only (`notifications.py`).
"""

from twizzit.admin import conflicts, notifications, registrations  # noqa: F401
