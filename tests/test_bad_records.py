"""One bad value, one entry: the rest of its record and page is written, and no message quotes it.

Each test plants a record Twizzit could really send in the sandbox and syncs over HTTP:
a NUL byte the database cannot store, an email no validator accepts, elements of a
listing that are not records, the same contact listed twice. A bad value costs its field
(one warning naming the Twizzit id and the field; the player is written without it); only
what is not a record at all costs an error; every other contact is synced.
Coaches read these messages, so none may quote a date of birth or an account number.
"""

from __future__ import annotations

import json
import logging

import pytest

from shotspot.models import Player
from twizzit.models import ApiUsage, PlayerMapping, SyncStatus
from twizzit.services.status import connection_status
from twizzit.sync import run_sync

PLANTED_BIRTH_DATE = "14/03/1987"
PLANTED_IBAN = "BE71 0961 2345 6769"
LAST_PAGE_OFFSET = 300  # 300 contacts, pages of 100: the page at 300 is empty


def contact_ids(sandbox) -> list[int]:
    return sorted(c["id"] for c in sandbox.state.contacts)


def entries(log, level: str, entity: str = "players") -> list[dict]:
    return [e for e in log.errors if e["level"] == level and e["entity"] == entity]


def everything_said(log) -> str:
    return json.dumps([log.message, log.errors, log.planned_changes])


def test_a_nul_byte_costs_its_field_and_the_player_is_written_without_it(config_db):
    config, sandbox = config_db
    bad = contact_ids(sandbox)[3]
    last_name = sandbox.state.contact(bad)["last-name"]
    sandbox.state.update_contact(bad, **{"first-name": "Ja\x00n"})

    log = run_sync(config)

    assert log.status == SyncStatus.SUCCESS
    assert entries(log, "error") == []
    [warning] = [e for e in entries(log, "warning") if e["twizzit_id"] == bad]
    assert "first name" in warning["message"] and "NUL" in warning["message"]
    assert Player.objects.count() == 300
    mapping = PlayerMapping.objects.select_related("player").get(twizzit_contact_id=bad)
    assert (mapping.player.first_name, mapping.player.last_name) == ("", last_name)
    assert set(mapping.refused) == {"first_name"}

    again = run_sync(config)  # the record did not change: nothing to say, nothing written

    assert again.status == SyncStatus.SUCCESS
    assert [e for e in again.errors if e["twizzit_id"] == bad] == []


def test_an_invalid_email_is_one_warning_and_never_stored_but_the_player_is(config_db):
    config, sandbox = config_db
    bad = contact_ids(sandbox)[5]
    sandbox.state.update_contact(bad, **{"email-1": {"target": None, "email": "jan,de@club.be"}})

    log = run_sync(config)

    assert entries(log, "error") == []
    [warning] = [e for e in entries(log, "warning") if e["twizzit_id"] == bad]
    assert warning == {
        "entity": "players",
        "twizzit_id": bad,
        "message": f"player {bad} email: Twizzit's value was refused (is not a valid "
        "address); the rest of the record was synced",
        "level": "warning",
    }
    assert Player.objects.count() == 300
    assert PlayerMapping.objects.get(twizzit_contact_id=bad).player.email == ""
    assert not Player.objects.filter(email="jan,de@club.be").exists()


def test_elements_that_are_not_records_and_a_repeated_id_cost_one_entry_each(config_db):
    config, sandbox = config_db
    repeated = sandbox.state.contact(contact_ids(sandbox)[0])
    sandbox.state.fail(
        "contacts",
        status=200,
        offset=LAST_PAGE_OFFSET,
        body=json.dumps([None, {**repeated, "last-name": "Other"}, 42]),
    )

    log = run_sync(config)

    assert log.status == SyncStatus.PARTIAL
    errors = entries(log, "error")
    assert [e["twizzit_id"] for e in errors] == [None, None]
    assert all("not an object" in e["message"] for e in errors)
    [warning] = entries(log, "warning")
    assert warning["twizzit_id"] == repeated["id"]
    assert "listed more than once" in warning["message"]
    assert Player.objects.count() == 300  # the whole listing, the first copy of the repeat
    first = PlayerMapping.objects.get(twizzit_contact_id=repeated["id"]).player
    assert first.last_name == repeated["last-name"]
    assert log.stats["players"]["fetched"] == 303


def test_no_message_or_log_line_quotes_a_planted_birth_date_or_account_number(config_db, caplog):
    config, sandbox = config_db
    ids = contact_ids(sandbox)
    sandbox.state.update_contact(ids[1], **{"date-of-birth": PLANTED_BIRTH_DATE})
    sandbox.state.update_contact(ids[2], **{"mobile-1": {"number": PLANTED_IBAN, "cc": "32"}})
    planted = sandbox.state.contact(ids[1])
    # A page with a non-record in it once made the whole page an excerpt in the message.
    sandbox.state.fail(
        "contacts", status=200, offset=LAST_PAGE_OFFSET, body=json.dumps([planted, None])
    )

    with caplog.at_level(logging.DEBUG):
        log = run_sync(config)

    said = everything_said(log) + caplog.text
    assert {e["twizzit_id"] for e in entries(log, "warning")} >= {ids[1], ids[2]}
    for secret in (PLANTED_BIRTH_DATE, "1987", PLANTED_IBAN, PLANTED_IBAN.replace(" ", "")):
        assert secret not in said
    assert Player.objects.count() == 300


def test_a_429_without_retry_after_stops_the_run_at_once_and_marks_the_quota(config_db):
    config, sandbox = config_db
    sandbox.state.rate_limit(times=10, endpoint="contacts")

    log = run_sync(config)

    assert log.status == SyncStatus.FAILED
    assert "429" in log.message and "without saying how long to wait" in log.message
    calls = sandbox.state.calls()
    assert calls.get("contacts") == 1  # no retry, no second phase trying again
    assert calls.get("group-contacts", 0) == 0  # rosters never started
    assert ApiUsage.objects.get(config=config).rate_limited_at is not None
    assert connection_status(config).usage.possibly_spent is True


def test_no_message_ends_in_a_double_full_stop(config_db):
    config, sandbox = config_db
    sandbox.state.fail("groups", status=500, times=20, error="Internal error.")

    log = run_sync(config)

    assert log.status == SyncStatus.PARTIAL
    messages = [log.message, *(e["message"] for e in log.errors)]
    assert any("Internal error" in m for m in messages)
    assert not [m for m in messages if ".." in m]


@pytest.fixture
def config_db(sandbox_config, sandbox):
    return sandbox_config, sandbox
