"""The monthly Twizzit call quota of a connection, spent in the database before each call.

Spending lives here; reading the month's usage lives with the row (`twizzit.models.usage`),
so a page that shows the usage never reaches the notification hooks this module calls.

Twizzit allows each account a tight, unpublished number of calls per month; every
request counts, logins and retries included. `ApiUsageMeter` is the client's
`UsageMeter` for one connection: before each HTTP request it adds one call to the
connection's `ApiUsage` row for the current calendar month (in settings.TIME_ZONE) with
a single conditional UPDATE, `calls = calls + 1 WHERE calls < limit`. The database
decides, so processes running at once can never spend past the limit together; when the
UPDATE matches nothing, the meter raises `TwizzitQuotaError` and the request is never
sent. At 90% of the limit one warning is logged per connection and month: `warned_at`
is set by a conditional UPDATE too, so only the process that sets it logs. Both moments,
90% and spent, are also mailed to the connection's admins once a month (`twizzit.notify`).

The increment is part of the caller's transaction: call Twizzit outside
`transaction.atomic` blocks, or a rollback forgets calls that were really spent.
"""

from __future__ import annotations

import logging
from datetime import date

from django.db.models import F
from django.utils import timezone

from twizzit.client import TwizzitQuotaError
from twizzit.models import ApiUsage, TwizzitConfig, usage
from twizzit.models.usage import WARN_AT_PERCENT, next_month, warning_threshold
from twizzit.notify import events as notify_events

logger = logging.getLogger(__name__)


class ApiUsageMeter:
    """Spends one connection's monthly quota, one call at a time, before the call is sent."""

    def __init__(self, config: TwizzitConfig):
        self.config = config
        self._row: tuple[date, int] | None = None  # (month, ApiUsage pk) of the current month
        self._warned_month: date | None = None
        # Calls of the month as far as this meter knows (other processes spend too): the
        # 90% check costs a query only once this lower bound is near the threshold.
        self._known_calls = 0

    def __repr__(self) -> str:
        return f"<ApiUsageMeter org={self.config.organization_id}>"

    def before_request(self, endpoint: str) -> None:
        month = usage.this_month()
        limit = self.config.monthly_call_limit
        pk = self._row_pk(month)
        spent = self._spend_one(pk, limit)
        if not spent and not ApiUsage.objects.filter(pk=pk).exists():
            # The row was removed under us (e.g. usage reset in the admin): start a new one.
            self._row = None
            pk = self._row_pk(month)
            spent = self._spend_one(pk, limit)
        if not spent:
            notify_events.quota_spent(self.config, month)  # once per month; never raises
            raise TwizzitQuotaError(
                f"The monthly quota of {limit} Twizzit calls of {self.config} is spent for "
                f"{month:%Y-%m}; the call to {endpoint} was not sent. It renews on "
                f"{next_month(month):%Y-%m-%d} (or raise the connection's monthly call limit)."
            )
        self._known_calls += 1
        if self._known_calls >= limit:  # that was the month's last call
            notify_events.quota_spent(self.config, month)
        if self._warned_month != month and self._known_calls >= warning_threshold(limit):
            self._warn_once(pk, month, limit)

    @staticmethod
    def _spend_one(pk: int, limit: int) -> bool:
        return bool(ApiUsage.objects.filter(pk=pk, calls__lt=limit).update(calls=F("calls") + 1))

    def _row_pk(self, month: date) -> int:
        if self._row is None or self._row[0] != month:
            row, _ = ApiUsage.objects.get_or_create(config=self.config, month=month)
            self._row = (month, row.pk)
            self._known_calls = row.calls
        return self._row[1]

    def _warn_once(self, pk: int, month: date, limit: int) -> None:
        first_to_cross = ApiUsage.objects.filter(
            pk=pk, warned_at__isnull=True, calls__gte=warning_threshold(limit)
        ).update(warned_at=timezone.now())
        if first_to_cross:
            self._warned_month = month
            notify_events.quota_warning(self.config, month)
            logger.warning(
                "Twizzit connection %s has used %s%% of its %s calls for %s; at the limit "
                "every call is refused until %s.",
                self.config,
                WARN_AT_PERCENT,
                limit,
                f"{month:%Y-%m}",
                f"{next_month(month):%Y-%m-%d}",
            )


def mark_rate_limited(config: TwizzitConfig) -> None:
    """Twizzit answered 429 without Retry-After: note that this month's quota may be spent."""
    row, _ = ApiUsage.objects.get_or_create(config=config, month=usage.this_month())
    ApiUsage.objects.filter(pk=row.pk).update(rate_limited_at=timezone.now())
