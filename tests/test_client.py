"""The Twizzit client: logins, paging, retries, quota and errors, against `responses`.

`responses` answers in place of Twizzit. It replays urllib3's status retries but never
sleeps between them and never retries a raised connection error, so the backoff tests
send real requests, to a closed loopback port or to the sandbox, where urllib3's own
retry loop runs (with `time.sleep` patched).
"""

from __future__ import annotations

import json
import logging
import random
import socket
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from responses import matchers

from twizzit.client import (
    URL_BUDGET,
    MemoryTokenStore,
    TwizzitAuthError,
    TwizzitBadResponse,
    TwizzitClient,
    TwizzitConfigError,
    TwizzitError,
    TwizzitPagingError,
    TwizzitPermissionError,
    TwizzitQuotaError,
    TwizzitRateLimitError,
    TwizzitUnavailable,
)

BASE = "https://twizzit.test"
API = f"{BASE}/v2/api"
ORG = 4242
USERNAME = "club-api"
PASSWORD = "Korf-Secret-Pa55!"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjbHViLWFwaSJ9.Zmlyc3Qtc2lnbmF0dXJl"
NEW_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjbHViLWFwaSJ9.bmV3LXNpZ25hdHVyZQ"


def login_answer(token=TOKEN, ttl=1800) -> dict:
    now = int(time.time())
    return {"token": token, "created-on": now, "valid-till": now + ttl}


class RecordingMeter:
    """A UsageMeter that remembers what it was asked and refuses past `limit` calls."""

    def __init__(self, limit: int | None = None):
        self.limit = limit
        self.endpoints: list[str] = []

    def before_request(self, endpoint: str) -> None:
        if self.limit is not None and len(self.endpoints) >= self.limit:
            raise TwizzitQuotaError(f"Monthly quota of {self.limit} calls is spent.")
        self.endpoints.append(endpoint)


def make_client(**overrides) -> TwizzitClient:
    options = {
        "base_url": BASE,
        "username": USERNAME,
        "password": PASSWORD,
        "organization_id": ORG,
    }
    options.update(overrides)
    return TwizzitClient(**options)


def params_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def query(call) -> dict[str, list[str]]:
    return params_of(call.request.url)


def calls_to(rsps, endpoint: str) -> list:
    return [c for c in rsps.calls if urlsplit(c.request.url).path == f"/v2/api/{endpoint}"]


@pytest.fixture
def rsps():
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """Every sleep the client or urllib3 asks for, without waiting."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


def serve_records(rsps, endpoint: str, records: list[dict]) -> None:
    """Answer `endpoint` like Twizzit: the slice that limit/offset ask for."""

    def answer(request):
        params = params_of(request.url)
        limit, offset = int(params["limit"][0]), int(params["offset"][0])
        return 200, {}, json.dumps(records[offset : offset + limit])

    rsps.add_callback(responses.GET, f"{API}/{endpoint}", callback=answer)


def closed_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- logging in -------------------------------------------------------------------------
def test_login_posts_the_credentials_form_encoded_and_sends_the_token_as_bearer(rsps):
    rsps.post(
        f"{API}/authenticate",
        json=login_answer(),
        match=[matchers.urlencoded_params_matcher({"username": USERNAME, "password": PASSWORD})],
    )
    rsps.get(f"{API}/seasons", json=[{"id": 7, "name": "2025-2026"}])

    seasons = make_client().seasons()

    assert seasons == [{"id": 7, "name": "2025-2026"}]
    login, data = rsps.calls
    assert login.request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert data.request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert query(data) == {"organization-ids[]": [str(ORG)]}
    assert data.request.req_kwargs["timeout"] == (5, 30)


def test_two_clients_sharing_a_token_store_log_in_once(rsps):
    rsps.post(f"{API}/authenticate", json=login_answer())
    rsps.get(f"{API}/seasons", json=[])
    store = MemoryTokenStore()

    first, second = make_client(token_store=store), make_client(token_store=store)
    first.seasons()
    second.seasons()

    assert len(calls_to(rsps, "authenticate")) == 1
    assert (first.calls_made, second.calls_made) == (2, 1)
    assert calls_to(rsps, "seasons")[1].request.headers["Authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize(
    ("seconds_left", "logins"),
    [(30, 1), (90, 0)],
    ids=["replaced-within-a-minute-of-expiry", "reused-while-more-than-a-minute-left"],
)
def test_a_stored_token_is_replaced_only_within_a_minute_of_its_valid_till(
    rsps, seconds_left, logins
):
    store = MemoryTokenStore()
    store.save(TOKEN, datetime.now(UTC) + timedelta(seconds=seconds_left))
    if logins:
        rsps.post(f"{API}/authenticate", json=login_answer(NEW_TOKEN))
    rsps.get(f"{API}/seasons", json=[])

    make_client(token_store=store).seasons()

    assert len(calls_to(rsps, "authenticate")) == logins
    expected = NEW_TOKEN if logins else TOKEN
    assert calls_to(rsps, "seasons")[0].request.headers["Authorization"] == f"Bearer {expected}"
    assert store.load()[0] == expected


def test_the_login_answers_valid_till_is_what_is_stored(rsps):
    answer = login_answer(ttl=1800)
    rsps.post(f"{API}/authenticate", json=answer)
    store = MemoryTokenStore()

    make_client(token_store=store).authenticate()

    token, valid_till = store.load()
    assert token == TOKEN
    assert valid_till == datetime.fromtimestamp(answer["valid-till"], tz=UTC)


def test_a_401_on_a_data_call_costs_exactly_one_fresh_login_and_one_retry(rsps):
    store = MemoryTokenStore()
    store.save(TOKEN, datetime.now(UTC) + timedelta(minutes=20))
    rsps.get(f"{API}/seasons", status=401, json={"error": "Expired token"})
    rsps.get(f"{API}/seasons", json=[{"id": 7}])
    rsps.post(f"{API}/authenticate", json=login_answer(NEW_TOKEN))
    client = make_client(token_store=store)

    assert client.seasons() == [{"id": 7}]

    assert len(calls_to(rsps, "authenticate")) == 1
    refused, retried = calls_to(rsps, "seasons")
    assert refused.request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert retried.request.headers["Authorization"] == f"Bearer {NEW_TOKEN}"
    assert client.calls_made == 3
    assert store.load()[0] == NEW_TOKEN


def test_a_data_call_still_refused_after_a_fresh_login_raises_auth_error(rsps):
    rsps.post(f"{API}/authenticate", json=login_answer())
    rsps.get(f"{API}/seasons", status=401, json={"error": "Unauthorized"})

    with pytest.raises(TwizzitAuthError) as excinfo:
        make_client().seasons()

    assert excinfo.value.status == 401
    assert len(calls_to(rsps, "authenticate")) == 2  # the first login, then the one fresh one
    assert len(calls_to(rsps, "seasons")) == 2


def test_refused_credentials_raise_auth_error_with_twizzits_message(rsps):
    rsps.post(f"{API}/authenticate", status=401, json={"error": "User unavailable"})
    store = MemoryTokenStore()

    with pytest.raises(TwizzitAuthError) as excinfo:
        make_client(token_store=store).seasons()

    assert "User unavailable" in str(excinfo.value)
    assert USERNAME in str(excinfo.value)
    assert excinfo.value.status == 401
    assert calls_to(rsps, "seasons") == []
    assert store.load() is None


def test_a_password_given_as_a_callable_is_opened_only_when_logging_in(rsps):
    rsps.get(f"{API}/seasons", json=[])
    opened = []
    store = MemoryTokenStore()
    store.save(TOKEN, datetime.now(UTC) + timedelta(minutes=20))

    make_client(password=lambda: opened.append(1) or PASSWORD, token_store=store).seasons()

    assert opened == []


# --- retries and rate limits ------------------------------------------------------------
def test_server_errors_are_retried_and_every_attempt_is_metered(rsps, sleeps):
    rsps.post(f"{API}/authenticate", json=login_answer())
    rsps.get(f"{API}/seasons", status=503)
    rsps.get(f"{API}/seasons", status=502)
    rsps.get(f"{API}/seasons", json=[{"id": 7}])
    meter = RecordingMeter()
    client = make_client(meter=meter)

    assert client.seasons() == [{"id": 7}]

    assert len(calls_to(rsps, "seasons")) == 3
    assert meter.endpoints == ["authenticate", "seasons", "seasons", "seasons"]
    assert client.calls_made == 4


def test_a_server_error_on_every_attempt_raises_unavailable_after_three_retries(rsps, sleeps):
    rsps.post(f"{API}/authenticate", json=login_answer())
    rsps.get(f"{API}/seasons", status=500, body="<html>Internal error</html>")

    with pytest.raises(TwizzitUnavailable) as excinfo:
        make_client().seasons()

    assert excinfo.value.status == 500
    assert len(calls_to(rsps, "seasons")) == 4  # the first attempt and 3 retries


@pytest.mark.parametrize(("jitter", "waits"), [(0.0, [1.0, 2.0]), (1.0, [1.5, 2.5])])
def test_unreachable_twizzit_is_retried_three_times_with_exponential_jittered_backoff(
    sleeps, monkeypatch, jitter, waits
):
    monkeypatch.setattr(random, "random", lambda: jitter)  # urllib3 draws the jitter here
    meter = RecordingMeter()
    client = make_client(base_url=f"http://127.0.0.1:{closed_loopback_port()}", meter=meter)

    with pytest.raises(TwizzitUnavailable) as excinfo:
        client.authenticate()

    assert "could not be reached" in str(excinfo.value)
    assert meter.endpoints == ["authenticate"] * 4
    assert client.calls_made == 4
    # urllib3 retries the first failure at once, then waits 0.5 * 2^(n-1) s + jitter * 0.5.
    assert sleeps == waits


def test_a_login_meeting_a_server_error_is_retried(rsps, sleeps):
    rsps.post(f"{API}/authenticate", status=502)
    rsps.post(f"{API}/authenticate", json=login_answer())
    rsps.get(f"{API}/seasons", json=[])
    client = make_client()

    client.seasons()

    assert len(calls_to(rsps, "authenticate")) == 2
    assert client.calls_made == 3


def test_a_429_with_a_short_retry_after_is_waited_out(rsps, sleeps):
    rsps.post(f"{API}/authenticate", json=login_answer())
    rsps.get(f"{API}/seasons", status=429, headers={"Retry-After": "2"}, json={"error": "Slow"})
    rsps.get(f"{API}/seasons", json=[{"id": 7}])
    client = make_client()

    assert client.seasons() == [{"id": 7}]

    assert sleeps == [2.0]
    assert len(calls_to(rsps, "seasons")) == 2
    assert client.calls_made == 3


def test_a_429_asking_for_longer_than_the_cap_raises_without_waiting(rsps, sleeps):
    rsps.post(f"{API}/authenticate", json=login_answer())
    rsps.get(f"{API}/seasons", status=429, headers={"Retry-After": "120"})

    with pytest.raises(TwizzitRateLimitError) as excinfo:
        make_client(retry_after_cap=60).seasons()

    assert excinfo.value.retry_after == 120
    assert excinfo.value.status == 429
    assert sleeps == []
    assert len(calls_to(rsps, "seasons")) == 1


def test_a_429_without_retry_after_raises_at_once(rsps, sleeps):
    rsps.post(f"{API}/authenticate", json=login_answer())
    rsps.get(f"{API}/seasons", status=429, json={"error": "Too many requests"})

    with pytest.raises(TwizzitRateLimitError) as excinfo:
        make_client().seasons()

    assert excinfo.value.retry_after is None
    assert "without saying how long to wait" in str(excinfo.value)
    assert sleeps == []
    assert len(calls_to(rsps, "seasons")) == 1


def test_a_429_that_keeps_coming_stops_once_the_waiting_reaches_the_cap(rsps, sleeps):
    rsps.post(f"{API}/authenticate", json=login_answer())
    rsps.get(f"{API}/seasons", status=429, headers={"Retry-After": "25"})

    with pytest.raises(TwizzitRateLimitError):
        make_client(retry_after_cap=60).seasons()

    assert sleeps == [25.0, 25.0]
    assert len(calls_to(rsps, "seasons")) == 3


def test_the_monthly_limit_raises_quota_error_and_is_never_retried(rsps, sleeps):
    rsps.post(f"{API}/authenticate", json=login_answer())
    rsps.get(
        f"{API}/seasons",
        status=429,
        headers={"Retry-After": "1"},
        json={"error": "Monthly limit exceeded"},
    )

    with pytest.raises(TwizzitQuotaError) as excinfo:
        make_client().seasons()

    assert "monthly call limit" in str(excinfo.value)
    assert sleeps == []
    assert len(calls_to(rsps, "seasons")) == 1


# --- the quota meter --------------------------------------------------------------------
def test_a_refusing_meter_stops_the_call_before_anything_is_sent(rsps):
    client = make_client(meter=RecordingMeter(limit=0))

    with pytest.raises(TwizzitQuotaError):
        client.seasons()

    assert len(rsps.calls) == 0
    assert client.calls_made == 0


def test_a_retry_is_refused_by_the_meter_before_it_is_sent(rsps, sleeps):
    rsps.post(f"{API}/authenticate", json=login_answer())
    rsps.get(f"{API}/seasons", status=503)
    client = make_client(meter=RecordingMeter(limit=3))

    with pytest.raises(TwizzitQuotaError):
        client.seasons()

    assert len(calls_to(rsps, "seasons")) == 2  # the first attempt and one retry; no third
    assert client.calls_made == 3


# --- errors -----------------------------------------------------------------------------
def test_no_access_to_the_organisation_names_it(rsps):
    rsps.post(f"{API}/authenticate", json=login_answer())
    rsps.get(f"{API}/contacts", status=403, json={"error": "no access for specified organizations"})

    with pytest.raises(TwizzitPermissionError) as excinfo:
        next(make_client().iter_contacts())

    assert f"organisation {ORG}" in str(excinfo.value)
    assert "no access for specified organizations" in str(excinfo.value)
    assert excinfo.value.organization_id == ORG
    assert excinfo.value.status == 403


def test_an_html_page_instead_of_json_raises_bad_response_with_an_excerpt(rsps):
    rsps.post(f"{API}/authenticate", json=login_answer())
    rsps.get(
        f"{API}/seasons",
        body="<!DOCTYPE html><html><body><h1>Maintenance</h1>" + "x" * 500 + "</body></html>",
        content_type="text/html",
    )

    with pytest.raises(TwizzitBadResponse) as excinfo:
        make_client().seasons()

    message = str(excinfo.value)
    assert excinfo.value.status == 200
    assert "status 200" in message
    assert "<h1>Maintenance</h1>" in message
    assert len(message) < 400


def test_an_object_where_a_list_is_expected_raises_bad_response(rsps):
    rsps.post(f"{API}/authenticate", json=login_answer())
    rsps.get(f"{API}/seasons", json={"data": []})

    with pytest.raises(TwizzitBadResponse) as excinfo:
        make_client().seasons()

    assert "not a list of records" in str(excinfo.value)


def test_plain_http_is_refused_except_to_a_loopback_host():
    with pytest.raises(TwizzitConfigError) as excinfo:
        make_client(base_url="http://app.twizzit.com")
    assert "must use https" in str(excinfo.value)

    assert make_client(base_url="http://127.0.0.1:8765").base_url == "http://127.0.0.1:8765"
    assert make_client(base_url="http://localhost:8765/").base_url == "http://localhost:8765"


def test_secrets_never_reach_logs_exception_messages_or_reprs(rsps, sleeps, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="urllib3")
    store = MemoryTokenStore()
    rsps.post(f"{API}/authenticate", json=login_answer())
    rsps.get(f"{API}/seasons", status=401, json={"error": "Expired"})
    rsps.get(f"{API}/seasons", status=500)
    rsps.get(f"{API}/seasons", json=[])
    rsps.get(f"{API}/groups", body=f"<html>Your request: Authorization: Bearer {TOKEN}</html>")
    client = make_client(token_store=store)
    client.seasons()
    with pytest.raises(TwizzitBadResponse) as bad_body:
        next(client.iter_groups())
    rsps.replace(responses.POST, f"{API}/authenticate", status=401, json={"error": "Bad login"})
    with pytest.raises(TwizzitAuthError) as refused:
        client.authenticate()
    unreachable = make_client(base_url=f"http://127.0.0.1:{closed_loopback_port()}")
    with pytest.raises(TwizzitUnavailable) as down:
        unreachable.authenticate()

    assert "urllib3" in {record.name.split(".")[0] for record in caplog.records}
    for text in (caplog.text, str(bad_body.value), str(refused.value), str(down.value)):
        assert PASSWORD not in text
        assert TOKEN not in text
    assert repr(client) == f"<TwizzitClient {BASE} org={ORG}>"
    assert repr(store) == "<MemoryTokenStore>"


def test_an_error_page_echoing_the_login_form_does_not_leak_the_password(rsps):
    rsps.post(
        f"{API}/authenticate", status=418, body=f"<html>You sent: sandbox / {PASSWORD}</html>"
    )
    with pytest.raises(TwizzitError) as failed:
        make_client().authenticate()
    assert PASSWORD not in str(failed.value)
    assert "418" in str(failed.value)


# --- paging -----------------------------------------------------------------------------
@pytest.mark.parametrize(("records", "calls"), [(0, 1), (100, 2), (200, 3), (201, 3)])
def test_a_full_listing_costs_n_div_page_size_plus_one_calls(rsps, records, calls):
    rsps.post(f"{API}/authenticate", json=login_answer())
    serve_records(rsps, "contacts", [{"id": n} for n in range(1, records + 1)])

    pages = list(make_client().iter_contacts())

    assert [row["id"] for page in pages for row in page] == list(range(1, records + 1))
    assert all(len(page) <= 100 for page in pages)
    sent = calls_to(rsps, "contacts")
    assert len(sent) == calls
    assert {query(call)["limit"][0] for call in sent} == {"100"}


def test_groups_are_asked_for_in_pages_of_250_with_their_filters_as_repeated_params(rsps):
    rsps.post(f"{API}/authenticate", json=login_answer())
    serve_records(rsps, "groups", [{"id": n} for n in range(1, 11)])

    pages = list(make_client().iter_groups(season_id=5, group_type=1, group_ids=[3, 4]))

    assert [len(page) for page in pages] == [10]
    (call,) = calls_to(rsps, "groups")
    assert query(call) == {
        "organization-ids[]": [str(ORG)],
        "season-id": ["5"],
        "group-type": ["1"],
        "group-ids[]": ["3", "4"],
        "limit": ["250"],
        "offset": ["0"],
    }


def test_a_server_repeating_a_page_raises_paging_error_instead_of_looping(rsps):
    rsps.post(f"{API}/authenticate", json=login_answer())
    rsps.get(f"{API}/contacts", json=[{"id": n} for n in range(1, 101)])  # ignores offset

    pages = make_client().iter_contacts()
    first = next(pages)
    with pytest.raises(TwizzitPagingError):
        next(pages)

    assert len(first) == 100
    assert len(calls_to(rsps, "contacts")) == 2


def test_the_pages_are_fetched_one_at_a_time_as_they_are_consumed(rsps):
    rsps.post(f"{API}/authenticate", json=login_answer())
    serve_records(rsps, "contacts", [{"id": n} for n in range(1, 251)])

    pages = make_client().iter_contacts()
    next(pages)

    assert len(calls_to(rsps, "contacts")) == 1


# --- group contacts ---------------------------------------------------------------------
def test_group_contacts_batch_as_many_groups_as_fit_the_url_budget(rsps):
    group_ids = list(range(100_000, 100_700))
    rsps.post(f"{API}/authenticate", json=login_answer())

    def answer(request):
        params = params_of(request.url)
        rows = [
            {"groupId": int(g), "contactId": int(g) + 1, "contactFunctionId": 1}
            for g in params["group-ids[]"]
        ]
        offset, limit = int(params["offset"][0]), int(params["limit"][0])
        return 200, {}, json.dumps(rows[offset : offset + limit])

    rsps.add_callback(responses.GET, f"{API}/group-contacts", callback=answer)

    rows = [row for page in make_client().iter_group_contacts(group_ids) for row in page]

    assert sorted(row["groupId"] for row in rows) == group_ids
    sent = calls_to(rsps, "group-contacts")
    assert all(len(call.request.url) <= URL_BUDGET for call in sent)
    batches = [query(call)["group-ids[]"] for call in sent]
    assert [int(g) for batch in batches for g in batch] == group_ids  # each group once
    for call, next_batch in zip(sent, batches[1:], strict=False):
        # A batch is closed only when the next id would not fit, even at a 10-digit offset.
        room_for_offset = len("9999999999") - len(query(call)["offset"][0])
        next_id = len("&group-ids%5B%5D=") + len(next_batch[0])
        assert len(call.request.url) + room_for_offset + next_id > URL_BUDGET


def test_group_contacts_of_a_server_ignoring_the_limit_are_complete_after_one_call(rsps):
    rsps.post(f"{API}/authenticate", json=login_answer())
    rows = [{"groupId": 1, "contactId": n, "contactFunctionId": 1} for n in range(300)]
    rsps.get(f"{API}/group-contacts", json=rows)  # ignores limit and offset

    pages = list(make_client().iter_group_contacts([1]))

    assert [len(page) for page in pages] == [300]
    assert len(calls_to(rsps, "group-contacts")) == 1


def test_group_contacts_repeating_a_full_page_raise_paging_error_not_a_short_roster(rsps):
    rsps.post(f"{API}/authenticate", json=login_answer())
    rows = [{"groupId": 1, "contactId": n, "contactFunctionId": 1} for n in range(250)]
    rsps.get(f"{API}/group-contacts", json=rows)  # ignores the offset; 250 is the limit

    pages = make_client().iter_group_contacts([1])
    first = next(pages)
    with pytest.raises(TwizzitPagingError) as stopped:
        next(pages)

    assert len(first) == 250
    assert str(stopped.value) == (
        "Twizzit sent the same page of group-contacts again at offset 250 for a batch of "
        "1 groups: it seems to ignore the offset, so the roster listing may be incomplete."
    )
    assert len(calls_to(rsps, "group-contacts")) == 2


def test_group_contacts_ending_on_a_short_page_are_complete(rsps):
    rsps.post(f"{API}/authenticate", json=login_answer())
    rows = [{"groupId": 1, "contactId": n, "contactFunctionId": 1} for n in range(260)]
    serve_records(rsps, "group-contacts", rows)

    pages = list(make_client().iter_group_contacts([1]))

    assert [len(page) for page in pages] == [250, 10]
    assert len(calls_to(rsps, "group-contacts")) == 2


def test_no_group_ids_cost_no_call(rsps):
    assert list(make_client().iter_group_contacts([])) == []
    assert len(rsps.calls) == 0


# --- urllib3's own retry loop, over real HTTP against the sandbox -------------------------
def sandbox_client(server, **overrides) -> TwizzitClient:
    return make_client(
        base_url=server.url,
        username=server.username,
        password=server.password,
        organization_id=server.organization_id,
        **overrides,
    )


def test_server_errors_are_backed_off_by_urllib3_and_counted(sandbox, sleeps, monkeypatch):
    monkeypatch.setattr(random, "random", lambda: 0.0)
    sandbox.state.fail("seasons", status=500, times=3)
    meter = RecordingMeter()

    seasons = sandbox_client(sandbox, meter=meter).seasons()

    assert seasons
    assert sandbox.state.calls()["seasons"] == 4
    assert meter.endpoints == ["authenticate"] + ["seasons"] * 4
    assert sleeps == [1.0, 2.0]


def test_a_503s_retry_after_is_honoured_up_to_the_cap(sandbox, sleeps):
    sandbox.state.fail("seasons", status=503, times=1, retry_after=120)

    sandbox_client(sandbox, retry_after_cap=60).seasons()

    assert sleeps == [60]
    assert sandbox.state.calls()["seasons"] == 2
