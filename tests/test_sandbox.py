"""The local Twizzit behaves like the real one, over real HTTP.

What a client meets at app.twizzit.com (form login, Bearer tokens that expire, 400 for
missing parameters, 403 for other organisations, capped page sizes, bare arrays, the
record quirks) must be what it meets here, or tests against the sandbox prove nothing.
"""

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from twizzit.models import TwizzitConfig
from twizzit.sandbox import ORGANIZATION_ID, SandboxServer, SandboxState
from twizzit.sandbox.data import generate

ROOT = Path(__file__).resolve().parent.parent
ORG = {"organization-ids[]": ORGANIZATION_ID}
CONTACT_KEYS = {
    "id", "name", "first-name", "last-name", "date-of-birth", "gender", "nationality",
    "language", "account-number", "registry-number", "number", "email-1", "email-2",
    "email-3", "mobile-1", "mobile-2", "mobile-3", "phone", "address", "has-profile-image",
    "extra-field-values",
}  # fmt: skip
GROUP_KEYS = {
    "id", "name", "short-name", "image", "category", "club", "season", "series",
    "extra-field-values",
}  # fmt: skip


TIMEOUT = 10


def _link(row: dict) -> tuple[int, int, int]:
    return row["groupId"], row["contactId"], row["contactFunctionId"]


def login(server, session=None) -> str:
    response = (session or requests).post(
        f"{server.url}/v2/api/authenticate",
        data={"username": server.username, "password": server.password},
    )
    assert response.status_code == 200, response.text
    return response.json()["token"]


class Api:
    """A logged-in session against one sandbox."""

    def __init__(self, server):
        self.server = server
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {login(server, self.session)}"

    def get(self, endpoint, params=None):
        url = f"{self.server.url}/v2/api/{endpoint}"
        return self.session.get(url, params=params, timeout=TIMEOUT)

    def rows(self, endpoint, **params):
        response = self.get(endpoint, {**ORG, **params})
        assert response.status_code == 200, response.text
        return response.json()

    def all_contacts(self, page_size=100):
        rows, offset = [], 0
        while True:
            page = self.rows("contacts", limit=page_size, offset=offset)
            rows.extend(page)
            if len(page) < page_size:
                return rows
            offset += page_size


@pytest.fixture
def api(sandbox):
    return Api(sandbox)


# --- logging in ------------------------------------------------------------------------
def test_form_login_answers_exactly_token_created_on_and_valid_till(sandbox):
    response = requests.post(
        f"{sandbox.url}/v2/api/authenticate",
        data={"username": sandbox.username, "password": sandbox.password},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "created-on", "valid-till"}
    assert body["valid-till"] - body["created-on"] == 1800
    assert body["token"].count(".") == 2  # looks like the JWT the real service sends


def test_json_login_is_refused_as_user_unavailable_even_with_good_credentials(sandbox):
    response = requests.post(
        f"{sandbox.url}/v2/api/authenticate",
        json={"username": sandbox.username, "password": sandbox.password},
        timeout=TIMEOUT,
    )
    assert response.status_code == 401
    assert response.json() == {"error": "User unavailable"}


def test_wrong_password_is_refused_without_a_token(sandbox):
    response = requests.post(
        f"{sandbox.url}/v2/api/authenticate",
        data={"username": sandbox.username, "password": "not-the-password"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 401
    assert "token" not in response.json()
    assert response.json()["error"]


def test_token_lifetime_follows_the_configured_ttl(make_sandbox):
    server = make_sandbox(contacts=0, groups=0, token_ttl=60)
    body = requests.post(
        f"{server.url}/v2/api/authenticate",
        data={"username": server.username, "password": server.password},
        timeout=TIMEOUT,
    ).json()
    assert body["valid-till"] - body["created-on"] == 60


# --- bearer tokens ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Token abc"},
        {"Authorization": "Bearer x"},
    ],
)
def test_data_calls_need_a_valid_bearer_token(sandbox, headers):
    response = requests.get(
        f"{sandbox.url}/v2/api/contacts", params=ORG, headers=headers, timeout=TIMEOUT
    )
    assert response.status_code == 401
    assert response.json()["error"]


def test_expired_tokens_are_refused_until_a_fresh_login(api, sandbox):
    assert api.get("contacts", ORG).status_code == 200
    sandbox.state.expire_tokens()
    refused = api.get("contacts", ORG)
    assert refused.status_code == 401
    assert refused.json() == {"error": "Expired token"}
    assert Api(sandbox).get("contacts", ORG).status_code == 200


def test_a_token_expires_at_valid_till_by_the_sandbox_clock(api, sandbox):
    sandbox.state.advance_clock(1799)
    assert api.get("seasons", ORG).status_code == 200
    sandbox.state.advance_clock(1)
    assert api.get("seasons", ORG).status_code == 401


# --- parameters and organisations --------------------------------------------------------
@pytest.mark.parametrize("endpoint", ["contacts", "groups", "seasons", "memberships"])
def test_a_call_without_organization_ids_is_a_bad_request(api, endpoint):
    response = api.get(endpoint)
    assert response.status_code == 400
    assert response.json() == {"error": "organization-ids[] is required"}


def test_group_contacts_needs_group_ids_as_well(api):
    response = api.get("group-contacts", ORG)
    assert response.status_code == 400
    assert response.json() == {"error": "group-ids[] is required"}


@pytest.mark.parametrize("organizations", [[4242], [ORGANIZATION_ID, 4242]])
def test_an_organisation_the_account_may_not_read_is_forbidden(api, organizations):
    response = api.get("contacts", {"organization-ids[]": organizations})
    assert response.status_code == 403
    assert response.json() == {"error": "no access for specified organizations"}


def test_malformed_numbers_are_a_bad_request(api):
    response = api.get("contacts", {**ORG, "contact-ids[]": "abc"})
    assert response.status_code == 400
    assert "contact-ids[]" in response.json()["error"]


@pytest.mark.parametrize(
    "query",
    [
        "organization-ids[]=1001&contact-ids[]={a}&contact-ids[]={b}",
        "organization-ids%5B%5D=1001&contact-ids%5B%5D={a}&contact-ids%5B%5D={b}",
        "organization-ids[0]=1001&contact-ids[0]={a}&contact-ids[1]={b}",
    ],
)
def test_array_parameters_work_literal_and_percent_encoded(api, sandbox, query):
    first, second = (contact["id"] for contact in sandbox.state.contacts[:2])
    url = f"{sandbox.url}/v2/api/contacts?" + query.format(a=first, b=second)
    response = api.session.get(url, timeout=TIMEOUT)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [first, second]


def test_unknown_parameters_are_silently_ignored(api):
    assert api.rows("contacts", **{"last-modified": "2025-01-01"}) == api.rows("contacts")


def test_organizations_need_no_organization_ids(api):
    assert api.get("organizations").json() == [{"id": 1001, "name": "KBKB Sandbox Club"}]


def test_an_unknown_path_answers_an_html_page(api):
    response = api.get("players", ORG)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.text.lstrip().startswith("<!DOCTYPE html>")


# --- paging ---------------------------------------------------------------------------------
def test_pages_without_a_limit_use_the_documented_defaults(api):
    assert len(api.rows("contacts")) == 50
    assert len(api.rows("groups")) == 10


def test_limits_are_capped_at_the_documented_maxima(make_sandbox):
    api = Api(make_sandbox(contacts=150, groups=200))  # 200 + 100 + 50 teams
    assert len(api.rows("contacts", limit=500)) == 100
    assert len(api.rows("groups", limit=1000)) == 250


def test_group_contacts_without_a_limit_returns_every_row_of_the_groups(api, sandbox):
    group_ids = [group["id"] for group in sandbox.state.groups]
    rows = api.rows("group-contacts", **{"group-ids[]": group_ids})
    assert len(sandbox.state.group_contacts) > 250
    assert sorted(map(_link, rows)) == sorted(map(_link, sandbox.state.group_contacts))


def test_group_contacts_honours_limit_and_offset_and_caps_at_250(api, sandbox):
    group_ids = [group["id"] for group in sandbox.state.groups]
    everything = api.rows("group-contacts", **{"group-ids[]": group_ids})
    window = api.rows("group-contacts", **{"group-ids[]": group_ids, "limit": 5, "offset": 5})
    assert window == everything[5:10]
    assert len(api.rows("group-contacts", **{"group-ids[]": group_ids, "limit": 1000})) == 250


def test_paging_over_201_contacts_returns_each_contact_exactly_once(make_sandbox):
    server = make_sandbox(contacts=201, groups=4)
    rows = Api(server).all_contacts(page_size=100)
    ids = [row["id"] for row in rows]
    assert len(ids) == 201
    assert set(ids) == {contact["id"] for contact in server.state.contacts}
    assert server.state.calls()["contacts"] == 3


def test_an_offset_past_the_end_is_an_empty_page(api):
    assert api.rows("contacts", limit=100, offset=10_000) == []


def test_an_empty_organisation_answers_empty_arrays(make_sandbox):
    api = Api(make_sandbox(contacts=0, groups=0))
    assert api.rows("contacts", limit=100) == []
    assert api.rows("groups", limit=250) == []


# --- record shapes -------------------------------------------------------------------------
def test_contacts_have_exactly_the_fields_of_the_real_api(api):
    for contact in api.all_contacts():
        assert set(contact) == CONTACT_KEYS
        assert contact["name"] == f"{contact['first-name']} {contact['last-name']}"
        assert contact["gender"] in {"M", "F", "X", None}
        assert contact["number"] is None or isinstance(contact["number"], int)
        assert contact["registry-number"] is None or isinstance(contact["registry-number"], str)
        assert set(contact["address"]) == {
            "street",
            "number",
            "box",
            "postalCode",
            "city",
            "country",
        }
        assert set(contact["address"]["country"]) == {"EN", "NL", "FR"}
        for slot in ("email-1", "email-2", "email-3"):
            assert set(contact[slot]) == {"target", "email"}
        for slot in ("mobile-1", "mobile-2", "mobile-3", "phone"):
            assert set(contact[slot]) == {"target", "cc", "number"}


def test_contacts_carry_the_quirks_a_client_must_survive(api):
    contacts = api.all_contacts()
    assert any(c["email-3"] == {"target": None, "email": ""} for c in contacts)
    assert any(c["date-of-birth"] is None for c in contacts)
    assert any(c["gender"] is None for c in contacts)
    assert any(c["number"] is None for c in contacts)
    assert any(c["registry-number"] is None for c in contacts)
    assert {c["mobile-1"]["cc"] for c in contacts} >= {"32", "0", ""}
    attributes = [v["value"]["attributes"] for c in contacts for v in c["extra-field-values"]]
    assert {} in attributes and [] in attributes
    assert any(c["address"]["postalCode"] == "" for c in contacts)


def test_names_are_flemish_and_walloon_with_accents(api):
    contacts = api.all_contacts()
    languages = {c["language"] for c in contacts}
    assert languages == {"nl", "fr"}
    assert any(re.search(r"[éèëïöüçâêîôû]", c["name"], re.IGNORECASE) for c in contacts)
    assert any(c["last-name"].startswith(("Van ", "De ", "D'")) for c in contacts)


def test_groups_belong_to_a_season_a_category_and_the_club(api, sandbox):
    categories = {c["id"]: c for c in api.rows("group-categories")}
    groups = api.rows("groups", limit=250)
    assert len(groups) == len(sandbox.state.groups)
    for group in groups:
        assert set(group) == GROUP_KEYS
        assert group["category"] in categories
        assert isinstance(group["club"], int)
        assert set(group["season"]) == {"id", "name", "active", "start-date", "end-date"}
    names = {c["name"]["NL"] for c in categories.values()}
    assert {"U13", "U15", "Senioren"} <= names
    assert all(set(c["name"]) == {"EN", "NL", "FR"} for c in categories.values())


def test_one_season_is_current_and_has_the_requested_number_of_teams(api):
    seasons = api.rows("seasons")
    current = api.rows("seasons", **{"is-current-season": "true"})
    assert len(seasons) == 4
    assert [season["active"] for season in current] == [True]
    assert re.fullmatch(r"\d{4}-\d{4}", current[0]["name"])
    teams = api.rows("groups", limit=250, **{"season-id": current[0]["id"], "group-type": 1})
    assert len(teams) == 24


def test_contact_functions_name_players_and_coaches_in_three_languages(api):
    functions = {f["name"]["EN"]: f for f in api.rows("contact-functions")}
    assert functions["Player"]["name"] == {"EN": "Player", "NL": "Speler", "FR": "Joueur"}
    assert functions["Coach"]["name"]["FR"] == "Entraîneur"
    assert {"Team manager", "Referee"} <= set(functions)


def test_roster_links_come_to_about_one_and_a_half_per_contact(sandbox):
    links = len(sandbox.state.group_contacts)
    assert 1.3 <= links / len(sandbox.state.contacts) <= 1.7


def test_current_membership_filter_leaves_out_members_without_one(api, sandbox):
    everyone = {c["id"] for c in api.all_contacts()}
    current = {c["id"] for c in api.rows("contacts", limit=100, **{"current-membership": "true"})}
    current |= {
        c["id"]
        for offset in (100, 200)
        for c in api.rows("contacts", limit=100, offset=offset, **{"current-membership": "1"})
    }
    lapsed = {c["id"] for c in api.rows("contacts", limit=100, **{"current-membership": "false"})}
    assert current and lapsed
    assert current | lapsed == everyone
    assert not current & lapsed
    season = sandbox.state.current_season["id"]
    holders = {m["contact-id"] for m in sandbox.state.memberships if m["season-id"] == season}
    assert holders <= current


@pytest.mark.parametrize(
    "endpoint",
    ["memberships", "membership-types", "events", "event-types", "event-sub-types", "group-types"],
)
def test_the_other_endpoints_answer_non_empty_arrays(api, endpoint):
    rows = api.rows(endpoint)
    assert isinstance(rows, list) and rows
    assert all(isinstance(row["id"], int) for row in rows)


# --- determinism -----------------------------------------------------------------------------
def test_the_same_seed_builds_the_same_organisation():
    first, second = generate(7, 120, 10), generate(7, 120, 10)
    assert first == second
    assert generate(8, 120, 10).contacts != first.contacts


def test_asking_for_one_more_contact_keeps_the_others_the_same():
    assert generate(1, 201, 4).contacts[:200] == generate(1, 200, 4).contacts


def test_two_servers_with_one_seed_serve_the_same_pages(sandbox):
    with SandboxServer(seed=1, contacts=300, groups=24) as twin:
        assert Api(twin).all_contacts() == Api(sandbox).all_contacts()


# --- controls --------------------------------------------------------------------------------
def test_an_endpoint_fails_n_times_then_succeeds(api, sandbox):
    sandbox.state.fail("contacts", status=503, times=2)
    statuses = [api.get("contacts", ORG).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]


def test_a_failure_can_target_one_page(api, sandbox):
    sandbox.state.fail("contacts", status=500, offset=100)
    assert api.get("contacts", {**ORG, "limit": 100}).status_code == 200
    assert api.get("contacts", {**ORG, "limit": 100, "offset": 100}).status_code == 500
    assert api.get("contacts", {**ORG, "limit": 100, "offset": 100}).status_code == 200


def test_a_failure_can_send_an_html_page_instead_of_json(api, sandbox):
    sandbox.state.fail("groups", status=502, body="<html><body>Bad Gateway</body></html>")
    response = api.get("groups", ORG)
    assert response.status_code == 502
    assert response.headers["Content-Type"].startswith("text/html")


def test_rate_limit_with_retry_after(api, sandbox):
    sandbox.state.rate_limit(times=1, retry_after=3)
    limited = api.get("contacts", ORG)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "3"
    assert api.get("contacts", ORG).status_code == 200


def test_rate_limit_without_retry_after(api, sandbox):
    sandbox.state.rate_limit(times=2)
    responses = [api.get("groups", ORG) for _ in range(3)]
    assert [r.status_code for r in responses] == [429, 429, 200]
    assert "Retry-After" not in responses[0].headers


def test_monthly_limit_refuses_logins_too(sandbox):
    sandbox.state.rate_limit(times=1, monthly=True)
    response = requests.post(
        f"{sandbox.url}/v2/api/authenticate",
        data={"username": sandbox.username, "password": sandbox.password},
        timeout=TIMEOUT,
    )
    assert response.status_code == 429
    assert response.json() == {"error": "Monthly limit exceeded"}


def test_call_counts_include_failed_requests(api, sandbox):
    sandbox.state.fail("contacts", status=500)
    api.get("contacts", ORG)  # 500
    api.get("contacts", ORG)  # 200
    api.get("contacts", {"organization-ids[]": 4242})  # 403
    api.get("groups")  # 400
    calls = sandbox.state.calls()
    assert calls["authenticate"] == 1
    assert calls["contacts"] == 3
    assert calls["groups"] == 1
    assert calls["seasons"] == 0


def test_reset_restores_the_data_and_forgets_faults_tokens_and_counts(api, sandbox):
    original = sandbox.state.contacts[0]
    sandbox.state.update_contact(original["id"], first_name="Wout")
    sandbox.state.remove_group(sandbox.state.groups[0]["id"])
    sandbox.state.fail("contacts", status=500, times=5)
    sandbox.state.reset()
    assert sandbox.state.contacts[0] == original
    assert len(sandbox.state.groups) == 42
    assert sandbox.state.calls()["authenticate"] == 0
    assert api.get("contacts", ORG).status_code == 401  # its token was forgotten
    assert Api(sandbox).get("contacts", ORG).status_code == 200


def test_editing_a_contact_shows_in_the_next_listing(api, sandbox):
    contact_id = sandbox.state.contacts[3]["id"]
    sandbox.state.update_contact(contact_id, **{"first-name": "Anaïs", "date-of-birth": None})
    [row] = api.rows("contacts", **{"contact-ids[]": contact_id})
    assert row["first-name"] == "Anaïs"
    assert row["name"].startswith("Anaïs ")
    assert row["date-of-birth"] is None


def test_editing_many_contacts_at_once_shows_every_edit_in_the_next_listing(api, sandbox):
    ids = [contact["id"] for contact in sandbox.state.contacts[:5]]
    assert sandbox.state.update_contacts({i: {"last-name": f"Edited {i}"} for i in ids}) == 5
    rows = api.rows("contacts", **{"contact-ids[]": ids})
    assert {row["id"]: row["last-name"] for row in rows} == {i: f"Edited {i}" for i in ids}
    with pytest.raises(KeyError):
        sandbox.state.update_contacts({999: {"last-name": "Nobody"}})


def test_an_unknown_field_is_refused_rather_than_silently_added(sandbox):
    contact_id = sandbox.state.contacts[0]["id"]
    with pytest.raises(ValueError, match="shoe-size"):
        sandbox.state.update_contact(contact_id, shoe_size=44)


def test_added_contact_is_listed_with_a_current_membership(api, sandbox):
    added = sandbox.state.add_contact(first_name="Noël", last_name="Van den Broeck")
    [row] = api.rows("contacts", **{"contact-ids[]": added["id"], "current-membership": "true"})
    assert row["name"] == "Noël Van den Broeck"
    assert set(row) == CONTACT_KEYS


def test_removing_a_contact_takes_it_out_of_its_teams(api, sandbox):
    link = sandbox.state.group_contacts[0]
    sandbox.state.remove_contact(link["contactId"])
    assert api.rows("contacts", **{"contact-ids[]": link["contactId"]}) == []
    rows = api.rows("group-contacts", **{"group-ids[]": link["groupId"]})
    assert link["contactId"] not in {row["contactId"] for row in rows}


def test_roster_lines_can_be_added_and_removed(api, sandbox):
    group = sandbox.state.add_group(name="U15 Z", category=303)
    contact_id = sandbox.state.contacts[10]["id"]
    sandbox.state.add_group_contact(group["id"], contact_id, 502)
    assert api.rows("group-contacts", **{"group-ids[]": group["id"]}) == [
        {"groupId": group["id"], "contactId": contact_id, "contactFunctionId": 502}
    ]
    sandbox.state.remove_group_contact(group["id"], contact_id)
    assert api.rows("group-contacts", **{"group-ids[]": group["id"]}) == []


def test_a_group_shown_without_season_still_filters_by_season(api, sandbox):
    group = sandbox.state.groups[-1]
    sandbox.state.update_group(group["id"], season=None)
    season_id = sandbox.state.current_season["id"]
    rows = api.rows("groups", limit=250, **{"season-id": season_id})
    [row] = [r for r in rows if r["id"] == group["id"]]
    assert row["season"] is None


def test_ignoring_the_offset_repeats_the_first_page(api, sandbox):
    sandbox.state.ignore_paging("contacts")
    first = api.rows("contacts", limit=100)
    assert api.rows("contacts", limit=100, offset=100) == first


def test_pages_stay_whole_while_a_test_edits(api, sandbox):
    pages = []

    def read_pages():
        reader = Api(sandbox)
        for offset in [0, 100, 200] * 5:
            page = reader.get("contacts", {**ORG, "limit": 100, "offset": offset})
            pages.append((page.status_code, len(page.json())))

    threads = [threading.Thread(target=read_pages) for _ in range(4)]
    for thread in threads:
        thread.start()
    for contact in sandbox.state.contacts[:40]:
        sandbox.state.update_contact(contact["id"], number=7)
    for thread in threads:
        thread.join()
    assert pages == [(200, 100)] * 60
    assert {c["number"] for c in sandbox.state.contacts[:40]} == {7}


# --- the HTTP controls --------------------------------------------------------------------------
def control(sandbox, method, path, **json):
    return requests.request(
        method, f"{sandbox.url}/_sandbox/{path}", json=json or None, timeout=TIMEOUT
    )


def test_http_controls_inject_failures_and_report_calls(api, sandbox):
    assert control(sandbox, "POST", "fail", endpoint="groups", status=500, times=1).ok
    assert control(sandbox, "POST", "rate-limit", times=1, retry_after=2).ok
    responses = [api.get("groups", ORG) for _ in range(3)]  # queued first, answered first
    assert [r.status_code for r in responses] == [500, 429, 200]
    assert responses[1].headers["Retry-After"] == "2"
    calls = control(sandbox, "GET", "calls").json()
    assert calls["groups"] == 3 and calls["authenticate"] == 1


def test_http_controls_edit_records(api, sandbox):
    contact_id = sandbox.state.contacts[0]["id"]
    edited = control(sandbox, "PATCH", f"contacts/{contact_id}", **{"last-name": "Dubois"})
    assert edited.status_code == 200 and edited.json()["last-name"] == "Dubois"
    added = control(sandbox, "POST", "group-contacts", group_id=sandbox.state.groups[0]["id"],
                    contact_id=contact_id)  # fmt: skip
    assert added.status_code == 201
    removed = control(sandbox, "DELETE", f"contacts/{contact_id}")
    assert removed.status_code == 200
    assert control(sandbox, "GET", f"contacts/{contact_id}").status_code == 404
    assert control(sandbox, "POST", "fail", endpoint="contact", status=500).status_code == 400


def test_http_controls_expire_tokens_and_reset(api, sandbox):
    assert control(sandbox, "POST", "expire-tokens").ok
    assert api.get("contacts", ORG).status_code == 401
    control(sandbox, "DELETE", f"groups/{sandbox.state.groups[0]['id']}")
    assert control(sandbox, "POST", "reset").ok
    assert len(sandbox.state.groups) == 42
    assert control(sandbox, "GET", "calls").json()["contacts"] == 0


# --- fixtures and the command -----------------------------------------------------------------
def test_sandbox_config_points_at_the_sandbox_with_its_credentials(sandbox_config, sandbox):
    config = TwizzitConfig.objects.get(pk=sandbox_config.pk)
    assert config.organization_id == 1001
    assert config.api_base_url == sandbox.url
    assert config.get_password() == sandbox.password
    assert sandbox.password not in config.api_password_encrypted
    response = requests.post(
        f"{config.api_base_url}/v2/api/authenticate",
        data={"username": config.api_username, "password": config.get_password()},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_create_config_registers_then_updates_the_sandbox_connection(sandbox):
    from twizzit.management.commands.twizzit_sandbox import register_sandbox_connection

    config, created = register_sandbox_connection(sandbox)
    assert created and config.api_base_url == sandbox.url
    config.organization_name = "Mijn testclub"
    config.save()
    with SandboxServer(contacts=0, groups=0, password="another-Pa55!") as moved:
        again, created = register_sandbox_connection(moved)
        new_url = moved.url
    assert not created
    assert TwizzitConfig.objects.count() == 1
    again.refresh_from_db()
    assert again.api_base_url == new_url != sandbox.url
    assert again.organization_name == "Mijn testclub"
    assert again.get_password() == "another-Pa55!"


def test_sandbox_state_never_shows_the_password_in_its_repr(sandbox):
    assert sandbox.password not in repr(sandbox)
    assert sandbox.password not in repr(SandboxState(contacts=0, groups=0))


@pytest.mark.slow
def test_the_command_serves_until_ctrl_c_and_exits_cleanly():
    process = subprocess.Popen(
        [sys.executable, "manage.py", "twizzit_sandbox", "--port", "0", "--contacts", "20"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "DEBUG": "false"},
    )
    watchdog = threading.Timer(60, process.kill)
    watchdog.start()
    try:
        lines = []
        while not any("Press Ctrl-C" in line for line in lines):
            line = process.stdout.readline()
            assert line, f"the command ended early: {process.stderr.read()}"
            lines.append(line)
        output = "".join(lines)
        url = re.search(r"http://127\.0\.0\.1:\d+", output).group(0)
        assert "sandbox-api" in output and "1001" in output
        response = requests.post(
            f"{url}/v2/api/authenticate",
            data={"username": "sandbox-api", "password": SandboxServer().password},
            timeout=TIMEOUT,
        )
        assert response.status_code == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        assert "Sandbox stopped." in process.stdout.read()
    finally:
        watchdog.cancel()
        process.kill()
