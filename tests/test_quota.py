"""The monthly call quota, spent in the database before each Twizzit call is sent."""

from __future__ import annotations

import logging
import time
from datetime import date

import pytest

from twizzit.client import TwizzitQuotaError
from twizzit.connection.gateway import client_for
from twizzit.connection.meter import ApiUsageMeter
from twizzit.models import ApiUsage
from twizzit.models import usage as quota
from twizzit.models.usage import usage_this_month, would_exceed

JANUARY_31 = date(2026, 1, 31)
FEBRUARY_1 = date(2026, 2, 1)


@pytest.fixture
def limited(config):
    """The shared connection, allowed 10 calls a month."""
    config.monthly_call_limit = 10
    config.save(update_fields=["monthly_call_limit"])
    return config


@pytest.fixture
def on_day(monkeypatch):
    """Sets the day the meter believes it is."""

    def set_day(day: date) -> None:
        monkeypatch.setattr(quota, "today", lambda: day)

    set_day(JANUARY_31)
    return set_day


def spend(meter: ApiUsageMeter, calls: int, endpoint: str = "contacts") -> None:
    for _ in range(calls):
        meter.before_request(endpoint)


def quota_warnings(caplog) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "twizzit.connection.meter" and r.levelname == "WARNING"
    ]


def test_each_call_adds_one_to_the_months_usage_row(limited, on_day):
    spend(ApiUsageMeter(limited), 3)

    row = ApiUsage.objects.get(config=limited)
    assert (row.month, row.calls) == (date(2026, 1, 1), 3)
    assert usage_this_month(limited) == (3, 10)
    assert would_exceed(limited, calls=7) is False
    assert would_exceed(limited, calls=8) is True


def test_the_call_past_the_limit_is_refused_and_not_counted(limited, on_day):
    meter = ApiUsageMeter(limited)
    spend(meter, 10)

    with pytest.raises(TwizzitQuotaError) as excinfo:
        meter.before_request("group-contacts")

    message = str(excinfo.value)
    assert "10 Twizzit calls" in message
    assert "KC Antwerpen (4242)" in message
    assert "group-contacts was not sent" in message
    assert "renews on 2026-02-01" in message
    assert ApiUsage.objects.get(config=limited).calls == 10
    assert would_exceed(limited) is True


def test_two_processes_spending_one_connection_share_its_limit(limited, on_day):
    first, second = ApiUsageMeter(limited), ApiUsageMeter(limited)
    spend(first, 6)
    spend(second, 4)

    for meter in (first, second):
        with pytest.raises(TwizzitQuotaError):
            meter.before_request("contacts")

    assert ApiUsage.objects.get(config=limited).calls == 10


def test_one_warning_is_logged_when_90_percent_is_reached(limited, on_day, caplog):
    caplog.set_level(logging.WARNING, logger="twizzit.connection.meter")
    first, second = ApiUsageMeter(limited), ApiUsageMeter(limited)
    spend(first, 8)
    assert quota_warnings(caplog) == []
    assert ApiUsage.objects.get(config=limited).warned_at is None

    spend(first, 1)  # the 9th call of 10
    spend(second, 1)

    (warning,) = quota_warnings(caplog)
    assert "KC Antwerpen (4242) has used 90% of its 10 calls for 2026-01" in warning.getMessage()
    assert ApiUsage.objects.get(config=limited).warned_at is not None


def test_a_new_month_starts_a_new_count_and_a_new_warning(limited, on_day, caplog):
    caplog.set_level(logging.WARNING, logger="twizzit.connection.meter")
    meter = ApiUsageMeter(limited)
    spend(meter, 10)
    with pytest.raises(TwizzitQuotaError):
        meter.before_request("contacts")

    on_day(FEBRUARY_1)
    meter.before_request("contacts")

    usage = dict(ApiUsage.objects.filter(config=limited).values_list("month", "calls"))
    assert usage == {date(2026, 1, 1): 10, date(2026, 2, 1): 1}
    assert usage_this_month(limited) == (1, 10)
    spend(meter, 8)
    assert len(quota_warnings(caplog)) == 2  # January's and February's


def test_a_usage_row_removed_during_a_run_is_started_again(limited, on_day):
    meter = ApiUsageMeter(limited)
    spend(meter, 10)
    ApiUsage.objects.filter(config=limited).delete()  # e.g. reset by an operator

    meter.before_request("contacts")

    assert usage_this_month(limited) == (1, 10)


def test_no_usage_yet_means_nothing_spent(limited, on_day):
    assert usage_this_month(limited) == (0, 10)
    assert would_exceed(limited, calls=10) is False


# --- over real HTTP, against the sandbox -------------------------------------------------
@pytest.fixture
def sandbox_connection(sandbox_config):
    sandbox_config.monthly_call_limit = 10
    sandbox_config.save(update_fields=["monthly_call_limit"])
    return sandbox_config


def test_a_spent_quota_stops_the_call_before_twizzit_sees_it(sandbox, sandbox_connection):
    ApiUsage.objects.create(
        config=sandbox_connection, month=quota.month_of(quota.today()), calls=10
    )

    with pytest.raises(TwizzitQuotaError):
        client_for(sandbox_connection).seasons()

    assert sum(sandbox.state.calls().values()) == 0


def test_logins_and_retries_are_spent_from_the_quota_like_any_call(
    sandbox, sandbox_connection, monkeypatch
):
    monkeypatch.setattr(time, "sleep", lambda seconds: None)  # urllib3's backoff
    sandbox.state.fail("seasons", status=503, times=2)
    client = client_for(sandbox_connection)

    client.seasons()

    assert sandbox.state.calls()["authenticate"] == 1
    assert sandbox.state.calls()["seasons"] == 3
    assert usage_this_month(sandbox_connection) == (4, 10)
    assert client.calls_made == 4
