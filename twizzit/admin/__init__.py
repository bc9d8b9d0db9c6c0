"""The Django admin for club and federation admins.

Connections are edited with a write-only password field; run records (sync logs, API
usage) are read-only because only the sync writes them; conflicts are decided on a review
screen that calls the same resolution service as the REST API (`conflicts.py`,
`review.py`); ShotSpot's players and teams gain their Twizzit badge, conflict marker,
box and "Re-sync selected from Twizzit" action from `records.py`.
"""

from twizzit.admin import conflicts, records, registrations  # noqa: F401
