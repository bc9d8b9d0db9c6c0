"""The two small protocols through which the client reaches storage, a token store
and a usage meter (`twizzit.connection.gateway` implements both on the database), and their
in-memory defaults.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class TokenStore(Protocol):
    """Where a login's token is kept so later clients (and processes) can reuse it."""

    def load(self) -> tuple[str, datetime] | None: ...

    def save(self, token: str, valid_till: datetime) -> None: ...

    def clear(self) -> None: ...


class UsageMeter(Protocol):
    """Counts each HTTP request before it is sent; raises TwizzitQuotaError to refuse it."""

    def before_request(self, endpoint: str) -> None: ...


class MemoryTokenStore:
    """Keeps the token in this process; clients sharing one instance share the login."""

    def __init__(self) -> None:
        self._entry: tuple[str, datetime] | None = None

    def __repr__(self) -> str:
        return "<MemoryTokenStore>"

    def load(self) -> tuple[str, datetime] | None:
        return self._entry

    def save(self, token: str, valid_till: datetime) -> None:
        self._entry = (token, valid_till)

    def clear(self) -> None:
        self._entry = None


class NullMeter:
    """Counts nothing and refuses nothing (no quota)."""

    def before_request(self, endpoint: str) -> None:
        return None
