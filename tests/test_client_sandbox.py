"""TwizzitClient against the local Twizzit over real HTTP: every record once, no call wasted.

Twizzit's monthly quota makes each call cost money, so these tests read the sandbox's
own counters: a full listing of N records at page size P must cost N // P + 1 calls
(the last, short page proves the end) plus exactly one login.
"""

import pytest

from twizzit.client import (
    TwizzitAuthError,
    TwizzitClient,
    TwizzitPagingError,
    TwizzitPermissionError,
    TwizzitQuotaError,
)


def client_for(server, **options) -> TwizzitClient:
    return TwizzitClient(
        base_url=server.url,
        username=server.username,
        password=server.password,
        organization_id=options.pop("organization_id", server.organization_id),
        backoff_factor=0,  # retries at once: these tests check counts, not waiting
        **options,
    )


def flatten(pages) -> list[dict]:
    return [row for page in pages for row in page]


def link(row: dict) -> tuple[int, int, int]:
    return row["groupId"], row["contactId"], row["contactFunctionId"]


@pytest.mark.parametrize("count", [0, 100, 200, 201])
def test_full_contact_listing_returns_each_contact_once_at_minimum_cost(make_sandbox, count):
    server = make_sandbox(contacts=count, groups=4)
    client = client_for(server)
    ids = [contact["id"] for contact in flatten(client.iter_contacts())]
    assert len(ids) == len(set(ids)) == count
    assert set(ids) == {contact["id"] for contact in server.state.contacts}
    calls = server.state.calls()
    assert calls["contacts"] == count // 100 + 1
    assert calls["authenticate"] == 1
    assert client.calls_made == sum(calls.values())


@pytest.mark.parametrize("teams", [0, 250, 500, 501])
def test_full_team_listing_returns_each_team_once_at_minimum_cost(make_sandbox, teams):
    server = make_sandbox(contacts=0, groups=teams)
    current = server.state.current_season["id"]
    client = client_for(server)
    ids = [group["id"] for group in flatten(client.iter_groups(season_id=current, group_type=1))]
    assert len(ids) == len(set(ids)) == teams
    expected = {g["id"] for g in server.state.groups if g["season"]["id"] == current}
    assert set(ids) == expected
    calls = server.state.calls()
    assert calls["groups"] == teams // 250 + 1
    assert calls["authenticate"] == 1


def test_unfiltered_group_listing_covers_every_season(sandbox):
    client = client_for(sandbox)
    ids = [group["id"] for group in flatten(client.iter_groups())]
    assert sorted(ids) == sorted(group["id"] for group in sandbox.state.groups)
    assert sandbox.state.calls()["groups"] == len(ids) // 250 + 1


def test_group_contacts_return_every_roster_line_once(sandbox):
    client = client_for(sandbox)
    group_ids = [group["id"] for group in sandbox.state.groups]
    rows = flatten(client.iter_group_contacts(group_ids))
    assert sorted(map(link, rows)) == sorted(map(link, sandbox.state.group_contacts))
    assert len(rows) == len(set(map(link, rows)))
    # 42 group ids fit one URL, so one batch: its rows at 250 per page.
    assert sandbox.state.calls()["group-contacts"] == len(rows) // 250 + 1


def test_group_contacts_in_several_batches_cost_the_minimum_per_batch(make_sandbox):
    server = make_sandbox(contacts=2000, groups=200)  # 350 groups, ~3000 roster lines
    client = client_for(server)
    group_ids = [group["id"] for group in server.state.groups]
    rows = flatten(client.iter_group_contacts(group_ids))
    assert sorted(map(link, rows)) == sorted(map(link, server.state.group_contacts))
    links_per_group: dict[int, int] = {}
    for row in server.state.group_contacts:
        links_per_group[row["groupId"]] = links_per_group.get(row["groupId"], 0) + 1
    batches: dict[tuple, int] = {}
    for request in server.state.requests("group-contacts"):
        batch = tuple(int(group_id) for group_id in request["params"]["group-ids[]"])
        batches[batch] = batches.get(batch, 0) + 1
    assert len(batches) > 1
    assert sorted(group for batch in batches for group in batch) == sorted(group_ids)
    for batch, calls in batches.items():
        assert calls == sum(links_per_group.get(group, 0) for group in batch) // 250 + 1


def test_one_login_serves_a_whole_sync_worth_of_listings(sandbox):
    client = client_for(sandbox)
    client.seasons(is_current_season=True)
    group_ids = [group["id"] for group in flatten(client.iter_groups())]
    flatten(client.iter_contacts())
    flatten(client.iter_group_contacts(group_ids))
    client.contact_functions()
    assert sandbox.state.calls()["authenticate"] == 1


def test_current_members_only_listing_leaves_out_lapsed_members(sandbox):
    client = client_for(sandbox)
    current = {c["id"] for c in flatten(client.iter_contacts(current_membership=True))}
    everyone = {c["id"] for c in sandbox.state.contacts}
    assert current < everyone
    assert sandbox.state.calls()["contacts"] == len(current) // 100 + 1


def test_an_expired_token_costs_one_fresh_login_and_the_listing_completes(sandbox):
    client = client_for(sandbox)
    pages = client.iter_contacts()
    first = next(pages)
    sandbox.state.expire_tokens()
    rest = flatten(pages)
    assert len(first) + len(rest) == len(sandbox.state.contacts)
    calls = sandbox.state.calls()
    assert calls["authenticate"] == 2
    assert calls["contacts"] == 300 // 100 + 1 + 1  # the refused call is counted too


def test_a_failing_page_is_retried_and_no_record_is_lost(sandbox):
    sandbox.state.fail("contacts", status=503, times=2, offset=100)
    client = client_for(sandbox)
    ids = [contact["id"] for contact in flatten(client.iter_contacts())]
    assert sorted(ids) == sorted(contact["id"] for contact in sandbox.state.contacts)
    assert sandbox.state.calls()["contacts"] == 4 + 2


def test_a_short_retry_after_is_waited_out(sandbox):
    sandbox.state.rate_limit(times=1, retry_after=0, endpoint="contacts")
    client = client_for(sandbox)
    assert len(flatten(client.iter_contacts())) == 300
    assert sandbox.state.calls()["contacts"] == 4 + 1


def test_the_monthly_limit_stops_the_listing_without_retrying(sandbox):
    sandbox.state.rate_limit(times=5, monthly=True, endpoint="contacts")
    client = client_for(sandbox)
    with pytest.raises(TwizzitQuotaError):
        flatten(client.iter_contacts())
    assert sandbox.state.calls()["contacts"] == 1


def test_another_organisation_is_refused_by_name(sandbox):
    client = client_for(sandbox, organization_id=4242)
    with pytest.raises(TwizzitPermissionError, match="4242"):
        flatten(client.iter_contacts())


def test_wrong_credentials_raise_an_auth_error_without_the_password(sandbox):
    client = TwizzitClient(
        base_url=sandbox.url,
        username=sandbox.username,
        password="Wrong-Pa55!",
        organization_id=1001,
    )
    with pytest.raises(TwizzitAuthError) as refused:
        client.authenticate()
    assert "Wrong-Pa55!" not in str(refused.value)


def test_a_server_repeating_contact_pages_is_stopped_not_looped(sandbox):
    sandbox.state.ignore_paging("contacts")
    client = client_for(sandbox)
    with pytest.raises(TwizzitPagingError):
        flatten(client.iter_contacts())
    assert sandbox.state.calls()["contacts"] == 2


def test_group_contacts_ignoring_the_offset_raise_rather_than_pass_for_complete(sandbox):
    sandbox.state.ignore_paging("group-contacts", offset=True)
    client = client_for(sandbox)
    group_ids = [group["id"] for group in sandbox.state.groups]
    assert len(sandbox.state.group_contacts) > 250  # one batch, more than a full page
    pages = client.iter_group_contacts(group_ids)
    first = next(pages)
    with pytest.raises(TwizzitPagingError, match=r"offset 250 .* may be incomplete"):
        next(pages)
    assert len(first) == 250
    assert sandbox.state.calls()["group-contacts"] == 2


def test_group_contacts_ignoring_limit_and_offset_are_complete_after_one_call(sandbox):
    sandbox.state.ignore_paging("group-contacts", offset=True, limit=True)
    client = client_for(sandbox)
    group_ids = [group["id"] for group in sandbox.state.groups]
    rows = flatten(client.iter_group_contacts(group_ids))
    assert sorted(map(link, rows)) == sorted(map(link, sandbox.state.group_contacts))
    assert sandbox.state.calls()["group-contacts"] == 1
