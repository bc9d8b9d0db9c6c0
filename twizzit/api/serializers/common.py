"""Limits every request field shares."""

MAX_INT = 2**31 - 1  # PositiveIntegerField's range on PostgreSQL
MAX_ID = 2**63 - 1
