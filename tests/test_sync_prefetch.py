"""The next page is fetched while one is written: over HTTP against the sandbox.

Prefetching must change nothing a user can see except the time a sync takes: the same
calls, the quota refused before sending, failures stopping a phase without judging
deletions, a cancellation keeping the work done and sending nothing more.
"""

import threading

import pytest

from shotspot.models import Player
from tests.sandbox import connect
from twizzit.models import (
    ApiUsage,
    ConflictType,
    Resolution,
    SyncConflict,
    SyncLog,
    SyncStatus,
)
from twizzit.sync import request_cancel, run_sync


@pytest.fixture
def config(db, sandbox):
    return connect(sandbox)


def prefetch_threads():
    return [t for t in threading.enumerate() if t.name == "twizzit-prefetch" and t.is_alive()]


def deletion_conflicts(config, contact_id) -> int:
    return SyncConflict.objects.filter(
        config=config,
        twizzit_id=contact_id,
        conflict_type=ConflictType.DELETED_IN_TWIZZIT,
        resolution=Resolution.PENDING,
    ).count()


def spent(config) -> int:
    return ApiUsage.objects.get(config=config).calls


def test_a_failure_on_a_prefetched_page_stops_the_players_and_judges_no_deletion(config, sandbox):
    run_sync(config)
    gone = min(sandbox.state.contacts, key=lambda c: c["id"])
    sandbox.state.remove_contact(gone["id"])
    before = sandbox.state.calls()
    # The third page of contacts is requested while the second is being written.
    sandbox.state.fail("contacts", status=400, offset=200, error="Bad page")

    log = run_sync(config)

    calls = {k: v - before[k] for k, v in sandbox.state.calls().items()}
    assert log.status == SyncStatus.PARTIAL
    assert "players stopped" in log.message and "nothing was judged deleted" in log.message
    assert log.stats["players"]["fetched"] == 200
    # The contact that vanished from Twizzit keeps its player: the listing was incomplete.
    kept = Player.objects.get(twizzit_mappings__twizzit_contact_id=gone["id"])
    assert kept.archived_at is None
    assert not deletion_conflicts(config, gone["id"])
    assert calls["contacts"] == 3  # pages one and two, the failed third, nothing after
    assert calls["group-contacts"] >= 1  # the rosters phase still ran
    assert log.api_calls == sum(calls.values())
    assert not prefetch_threads()

    log = run_sync(config)  # complete again: now the vanished contact is judged
    assert log.status == SyncStatus.SUCCESS
    assert deletion_conflicts(config, gone["id"]) == 1


def test_cancelling_while_a_prefetch_is_on_the_wire_keeps_the_work_and_sends_nothing_more(
    config, sandbox
):
    sandbox.state.set_latency(250)  # page three is still on the wire when page two is done

    def cancel_after_first_contacts_page(phase, report):
        if phase == "players" and report.stats["players"]["fetched"] == 100:
            request_cancel(SyncLog.objects.get(config=config, status=SyncStatus.RUNNING))

    log = run_sync(config, on_progress=cancel_after_first_contacts_page)

    calls = sandbox.state.calls()
    assert log.status == SyncStatus.CANCELLED
    assert Player.objects.count() == 200  # pages one and two, written and kept
    # Page three was already asked for when the cancellation was seen: it is finished
    # and counted; no fourth page, no rosters.
    assert calls["contacts"] == 3
    assert calls["group-contacts"] == 0
    assert log.api_calls == sum(calls.values()) == spent(config)
    assert not prefetch_threads()
    config.refresh_from_db()
    assert config.running_sync is None


def test_the_quota_refuses_a_prefetched_page_before_it_is_sent(config, sandbox):
    # login, seasons, group categories, groups, and two pages of contacts
    config.monthly_call_limit = 6
    config.save(update_fields=["monthly_call_limit"])

    log = run_sync(config)

    calls = sandbox.state.calls()
    assert log.status == SyncStatus.FAILED
    assert "monthly quota of 6 Twizzit calls" in log.message
    assert calls["contacts"] == 2  # the third page was refused, never sent
    assert sum(calls.values()) == spent(config) == log.api_calls == 6
    assert Player.objects.count() == 200
    assert not prefetch_threads()


def test_a_prefetched_sync_spends_the_same_calls_in_the_same_order(config, sandbox):
    sandbox.state.set_latency(20)
    log = run_sync(config)

    order = [request["endpoint"] for request in sandbox.state.requests()]
    assert log.status == SyncStatus.SUCCESS
    assert Player.objects.count() == 300
    assert order.count("contacts") == 300 // 100 + 1
    # Each listing is read in order, one phase after the other.
    first = {endpoint: order.index(endpoint) for endpoint in set(order)}
    last = {endpoint: len(order) - 1 - order[::-1].index(endpoint) for endpoint in set(order)}
    assert last["groups"] < first["contacts"] and last["contacts"] < first["group-contacts"]
    offsets = [int(r["params"]["offset"][0]) for r in sandbox.state.requests("contacts")]
    assert offsets == sorted(offsets)
    assert log.api_calls == spent(config) == len(order)


def test_retries_of_a_prefetched_page_are_spent_from_the_quota_like_any_call(config, sandbox):
    sandbox.state.fail("contacts", status=503, times=2, offset=200)

    log = run_sync(config)

    calls = sandbox.state.calls()
    assert log.status == SyncStatus.SUCCESS
    assert Player.objects.count() == 300
    assert calls["contacts"] == 300 // 100 + 1 + 2  # the two retries of the third page
    assert log.api_calls == sum(calls.values()) == spent(config)
