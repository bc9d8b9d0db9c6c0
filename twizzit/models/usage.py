"""Twizzit calls spent per connection per calendar month, and how to read them.

`ApiUsage` is the row the quota meter (`twizzit.connection.meter`) spends from. Everything
that only *reads* the month's usage — the status, the cockpit, the attention panel, the
notifications, the job guard — goes through `month_usage` and the month helpers here, so the
rule "this month, in settings.TIME_ZONE" lives in one place and reading never sends a mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import models
from django.utils import timezone

from twizzit.models.connections import TwizzitConfig

WARN_AT_PERCENT = 90


class ApiUsage(models.Model):
    """Twizzit calls spent by one connection in one calendar month."""

    config = models.ForeignKey(TwizzitConfig, on_delete=models.CASCADE, related_name="api_usage")
    month = models.DateField(help_text="The first day of the month.")
    calls = models.PositiveIntegerField(default=0)
    warned_at = models.DateTimeField(null=True, blank=True)
    # Twizzit answered 429 without saying how long to wait: the quota may be spent.
    rate_limited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["config", "month"], name="one_usage_row_per_month")
        ]
        verbose_name_plural = "API usage"

    def __str__(self):
        return f"{self.config} {self.month:%Y-%m}: {self.calls}"


def today() -> date:
    return timezone.localdate()


def month_of(day: date) -> date:
    return day.replace(day=1)


def this_month() -> date:
    return month_of(today())


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def renews_on() -> date:
    """The day this month's quota renews: the first of next month."""
    return next_month(this_month())


def warning_threshold(limit: int) -> int:
    """The first call count at or above 90% of the limit."""
    return -(-limit * WARN_AT_PERCENT // 100)


@dataclass(frozen=True)
class MonthUsage:
    """One connection's Twizzit calls in one month, against its monthly limit."""

    month: date
    calls: int
    limit: int
    # Twizzit answered 429 without Retry-After this month: the quota may be spent already.
    rate_limited_at: datetime | None = None

    @property
    def remaining(self) -> int:
        return max(self.limit - self.calls, 0)

    @property
    def possibly_spent(self) -> bool:
        return self.rate_limited_at is not None

    @property
    def high(self) -> bool:
        """At or past the 90 % warning line."""
        return bool(self.limit) and self.calls >= warning_threshold(self.limit)


def month_usage(config: TwizzitConfig) -> MonthUsage:
    """This month's usage of a connection (one query)."""
    month = this_month()
    row = (
        ApiUsage.objects.filter(config=config, month=month)
        .values_list("calls", "rate_limited_at")
        .first()
    )
    calls, rate_limited_at = row or (0, None)
    return MonthUsage(month, calls, config.monthly_call_limit, rate_limited_at)


def usage_this_month(config: TwizzitConfig) -> tuple[int, int]:
    """(calls spent this calendar month, the monthly limit) of a connection."""
    usage = month_usage(config)
    return usage.calls, usage.limit


def would_exceed(config: TwizzitConfig, calls: int = 1) -> bool:
    """True when spending `calls` more this month would pass the connection's limit."""
    spent, limit = usage_this_month(config)
    return spent + calls > limit
