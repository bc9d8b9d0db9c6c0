"""What every endpoint shares: paging, the error shape, JSON only, throttling."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory
from rest_framework.throttling import SimpleRateThrottle

from tests.api.data import sync_log
from twizzit.api.errors import server_error

LOGS = "/api/twizzit/sync-logs/"


@pytest.fixture
def five_logs(config):
    return [sync_log(config) for _ in range(5)]


def test_a_page_says_where_the_client_stands(coach_api, five_logs):
    newest_first = [log.pk for log in reversed(five_logs)]
    first = coach_api.get(LOGS, {"limit": 2}).json()
    assert {k: first[k] for k in ("total", "page", "limit", "has_more")} == {
        "total": 5,
        "page": 1,
        "limit": 2,
        "has_more": True,
    }
    assert [row["id"] for row in first["results"]] == newest_first[:2]
    last = coach_api.get(LOGS, {"limit": 2, "page": 3}).json()
    assert ([row["id"] for row in last["results"]], last["has_more"]) == (newest_first[4:], False)


def test_a_page_past_the_end_is_empty_not_an_error(coach_api, five_logs):
    response = coach_api.get(LOGS, {"page": 99})
    assert response.status_code == 200
    assert (response.json()["results"], response.json()["total"]) == ([], 5)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page": 0}, "page"),
        ({"page": "two"}, "page"),
        ({"limit": 201}, "limit"),
        ({"limit": ""}, "limit"),
    ],
)
def test_paging_parameters_out_of_range_are_refused(coach_api, five_logs, query, field):
    response = coach_api.get(LOGS, query)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_an_unknown_api_path_answers_in_json(coach_api):
    response = coach_api.get("/api/twizzit/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_an_unknown_id_answers_in_json(coach_api, db):
    response = coach_api.get("/api/twizzit/connections/999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_body_that_is_not_json_is_a_400_with_the_same_shape(admin_api, config):
    response = admin_api.generic(
        "PATCH",
        f"/api/twizzit/connections/{config.pk}/",
        "{not json",
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "parse_error"
    assert body["errors"]["non_field_errors"] == [body["detail"]]


def test_only_json_bodies_are_accepted(admin_api, config):
    response = admin_api.patch(
        f"/api/twizzit/connections/{config.pk}/",
        "sync_enabled=false",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_a_crash_under_api_answers_in_json():
    response = server_error(RequestFactory().get("/api/twizzit/connections/"))
    assert response.status_code == 500
    assert json.loads(response.content)["code"] == "server_error"


def test_a_crash_elsewhere_gets_the_sites_page():
    response = server_error(RequestFactory().get("/admin/"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


@pytest.fixture
def low_rates(monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {"user": "3/minute", "anon": "3/minute", "twizzit-calls": "1/minute"},
    )


def test_too_many_requests_are_throttled_with_a_retry_after(coach_api, config, low_rates):
    statuses = [coach_api.get(LOGS).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = coach_api.get(LOGS)
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_calls_that_spend_twizzit_quota_have_a_tighter_limit(admin_api, sandbox_config, low_rates):
    test_url = f"/api/twizzit/connections/{sandbox_config.pk}/test/"
    assert admin_api.post(test_url).status_code == 200
    assert admin_api.post(test_url).status_code == 429
    # Reading is not held back by it.
    assert admin_api.get(f"/api/twizzit/connections/{sandbox_config.pk}/").status_code == 200
