"""The Django admin for club and federation admins.

Connections are edited with a write-only password field; run records (sync logs, API
usage) are read-only because only the sync writes them.
"""

from twizzit.admin import registrations  # noqa: F401
