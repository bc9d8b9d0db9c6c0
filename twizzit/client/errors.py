"""What can go wrong when talking to Twizzit: one exception class per kind of failure.

Their messages are written for a person and never hold the password or the token.
"""

from __future__ import annotations


class TwizzitError(Exception):
    """Talking to Twizzit failed; `status` is the HTTP status when there was an answer."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


class TwizzitAuthError(TwizzitError):
    """Twizzit refused the credentials, or still answered 401 after a fresh login."""


class TwizzitPermissionError(TwizzitError):
    """The account may not read the organisation (403) or the endpoint."""

    def __init__(self, message: str, *, status: int | None = None, organization_id=None):
        super().__init__(message, status=status)
        self.organization_id = organization_id


class TwizzitRateLimitError(TwizzitError):
    """A 429 (not the monthly limit) that waiting within the cap did not get past."""

    def __init__(self, message: str, *, status: int | None = 429, retry_after=None):
        super().__init__(message, status=status)
        self.retry_after = retry_after


class TwizzitQuotaError(TwizzitError):
    """The monthly call quota is spent: Twizzit said so, or our meter refused to send."""


class TwizzitBadResponse(TwizzitError):
    """Twizzit answered something we cannot use: not JSON, the wrong shape, a surprise status."""


class TwizzitUnavailable(TwizzitError):
    """Twizzit could not be reached, timed out or kept failing (5xx) after the retries."""


class TwizzitPagingError(TwizzitError):
    """Twizzit sent a page it had already sent: following it would loop forever."""


class TwizzitConfigError(TwizzitError):
    """The connection settings cannot be used, e.g. plain http to a non-loopback host."""
