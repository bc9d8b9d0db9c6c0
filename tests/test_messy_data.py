"""Twizzit's messy data never costs a player: a refused value costs its field, once.

A sandbox with one member per kind of messy value (`twizzit.sandbox.messy.KINDS`: an
accented address, a note in a phone field, two addresses in one slot, impossible dates,
over-long text, a NUL byte…) on top of the usual 300 contacts, synced over HTTP. Every
contact becomes a player; a refused field is blank on create and unchanged on update and
costs one warning naming the id and the field, never the value; the player's roster link
is written; a re-sync of the same data writes nothing and raises no conflict; a value fixed
in Twizzit is applied and its refusal cleared. The admins hear of a problem once.
"""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.utils import timezone

from shotspot.models import Player, TeamMembership
from tests.sandbox import connect
from twizzit.bench.querycount import count_queries
from twizzit.models import PlayerMapping, SyncConflict, SyncLog, SyncStatus, SyncType
from twizzit.sandbox.data import FIRST_MESSY_CONTACT_ID
from twizzit.sandbox.messy import KINDS
from twizzit.services.attention import LAST_RUN_FAILED, REFUSED, needs_attention
from twizzit.services.status import connection_status
from twizzit.sync import run_sync

MESSY_IDS = [FIRST_MESSY_CONTACT_ID + offset for offset in range(len(KINDS))]
REFUSING = {
    FIRST_MESSY_CONTACT_ID + offset: kind.outcome
    for offset, kind in enumerate(KINDS)
    if kind.outcome not in ("kept", "first kept")
}
RECIPIENTS = "ops@club.be"


@pytest.fixture
def messy(make_sandbox):
    return make_sandbox(seed=1, contacts=300, groups=24, messy=True)


@pytest.fixture
def club(db, messy):
    return connect(messy, notify_emails=RECIPIENTS)


def mapping_of(contact_id) -> PlayerMapping:
    return PlayerMapping.objects.select_related("player").get(twizzit_contact_id=contact_id)


def warnings_about(log, contact_id) -> list[str]:
    return [
        e["message"]
        for e in log.errors
        if e["twizzit_id"] == contact_id and e["level"] == "warning"
    ]


def test_the_messy_data_set_holds_at_least_fifteen_kinds_of_messy_value():
    assert len(KINDS) >= 15
    assert len({kind.name for kind in KINDS}) == len(KINDS)
    assert len(REFUSING) >= 10  # and the rest are messy values ShotSpot now accepts


def test_every_messy_contact_becomes_a_player_with_its_roster_link(club, messy):
    log = run_sync(club)

    assert log.status == SyncStatus.SUCCESS
    assert [e for e in log.errors if e["level"] == "error"] == []
    assert Player.objects.count() == 300 + len(KINDS)
    assert log.stats["players"]["created"] == 300 + len(KINDS)
    assert log.stats["players"]["refused"] == len(REFUSING)
    links = {(r["groupId"], r["contactId"]) for r in messy.state.view().data.group_contacts}
    for contact_id in MESSY_IDS:
        player = mapping_of(contact_id).player
        teams = set(
            TeamMembership.objects.filter(player=player).values_list(
                "team__twizzit_mappings__twizzit_group_id", flat=True
            )
        )
        assert teams == {group for group, contact in links if contact == contact_id}
        assert teams  # each messy member plays in a current team


def test_each_refused_field_is_blank_with_one_warning_naming_id_and_field_quoting_nothing(
    club, messy
):
    log = run_sync(club)

    for contact_id, field in REFUSING.items():
        mapping = mapping_of(contact_id)
        assert set(mapping.refused) == {field}, contact_id
        value = getattr(mapping.player, field)
        assert value in ("", None, False), (contact_id, field, value)
        [warning] = warnings_about(log, contact_id)
        verbose = Player._meta.get_field(field).verbose_name
        assert warning.startswith(f"player {contact_id} {verbose}: Twizzit's value was refused (")
    said = json.dumps(log.errors, ensure_ascii=False)
    for kind in KINDS:
        for value in kind.patch.values():
            if isinstance(value, str) and value.strip():
                assert value.strip() not in said, kind.name
            if isinstance(value, int) and not isinstance(value, bool):
                assert str(value) not in said, kind.name


def test_valid_but_unusual_values_are_kept_as_given_or_read_into_e164(club):
    run_sync(club)

    by_kind = {
        kind.name: mapping_of(cid).player for kind, cid in zip(KINDS, MESSY_IDS, strict=True)
    }
    assert by_kind["e-mail with an accented local part (RFC 6531)"].email == "jösé.maes@telenet.be"
    assert by_kind["e-mail with an internationalised domain"].email == "lotte@exämple.be"
    assert by_kind["e-mail with spaces around it"].email == "an.peeters@skynet.be"
    assert by_kind["two e-mail addresses in one slot"].email == "mama.claes@telenet.be"
    assert by_kind["phone with a note after it"].phone == "+32470123456"
    assert by_kind["phone as +32 (0)…"].phone == "+32471223344"
    assert by_kind["phone with slashes and dots"].phone == "+32472556677"
    for kind, contact_id in zip(KINDS, MESSY_IDS, strict=True):
        if kind.outcome in ("kept", "first kept"):
            mapping_of(contact_id).player.full_clean()  # the admin can save it again


def test_a_no_change_resync_writes_no_row_and_raises_no_conflict(club):
    run_sync(club)

    with count_queries() as cost:
        again = run_sync(club)

    assert again.status == SyncStatus.SUCCESS
    assert cost.data_rows_written == 0, cost.tables_written
    assert again.stats["players"]["unchanged"] == 300 + len(KINDS)
    assert not SyncConflict.objects.exists()
    assert [e for e in again.errors if e["twizzit_id"] in REFUSING] == []  # said once


def test_a_refused_value_never_overwrites_what_shotspot_holds_nor_raises_a_conflict(club, messy):
    bad_email = next(cid for cid, field in REFUSING.items() if field == "email")
    run_sync(club)
    player = mapping_of(bad_email).player
    player.email = "fixed.in.shotspot@club.be"  # a person typed the right address here
    player.save()
    base = dict(mapping_of(bad_email).base_data)
    # Twizzit changes another field of the same contact: the record is read again.
    messy.state.update_contact(bad_email, number=42)

    log = run_sync(club)

    mapping = mapping_of(bad_email)
    assert mapping.player.email == "fixed.in.shotspot@club.be"
    assert mapping.player.jersey_number == 42
    assert mapping.base_data == {**base, "jersey_number": 42}
    assert set(mapping.refused) == {"email"}
    assert not SyncConflict.objects.exists()
    assert log.status == SyncStatus.SUCCESS


def test_fixing_the_value_in_twizzit_applies_it_and_clears_the_refusal(club, messy):
    bad_email = next(cid for cid, field in REFUSING.items() if field == "email")
    bad_date = next(cid for cid, field in REFUSING.items() if field == "date_of_birth")
    run_sync(club)
    since = mapping_of(bad_email).refused["email"]["since"]
    messy.state.update_contact(
        bad_email, **{"email-1": {"target": None, "email": "jan.de.smet@telenet.be"}}
    )
    messy.state.update_contact(bad_date, **{"date-of-birth": "2011-02-28"})

    log = run_sync(club)

    assert mapping_of(bad_email).player.email == "jan.de.smet@telenet.be"
    assert mapping_of(bad_email).refused == {}
    assert str(mapping_of(bad_date).player.date_of_birth) == "2011-02-28"
    assert mapping_of(bad_date).refused == {}
    assert warnings_about(log, bad_email) == []
    assert log.stats["players"]["updated"] == 2
    assert connection_status(club).refused_players == len(REFUSING) - 2
    assert since  # it was remembered until then


def test_refusals_are_counted_by_the_status_and_the_attention_panel(club):
    run_sync(club)

    assert connection_status(club).refused_players == len(REFUSING)
    [item] = needs_attention()
    [finding] = [f for f in item.findings if f.kind == REFUSED]
    assert finding.count == len(REFUSING)
    assert finding.text == f"{len(REFUSING)} players with a Twizzit value refused"


def nameless(state, contact_id):
    state.update_contact(contact_id, **{"first-name": "", "last-name": "", "name": ""})


def test_three_syncs_over_the_same_messy_data_mail_once_and_a_new_bad_record_once_more(
    committed, club, messy
):
    ids = sorted(c["id"] for c in messy.state.contacts)
    nameless(messy.state, ids[10])  # a contact that cannot become a player at all

    logs = [committed(run_sync, club) for _ in range(3)]

    assert [log.status for log in logs] == [SyncStatus.PARTIAL] * 3
    assert [log.new_problems for log in logs] == [1, 0, 0]
    [first] = mail.outbox
    assert first.subject.endswith(f"sync #{logs[0].pk} ended with errors")
    assert f"(Twizzit id {ids[10]}): contact {ids[10]} has no name" in first.body
    # Known problems only: the attention panel shows the standing count, not "partial".
    [item] = needs_attention()
    kinds = [f.kind for f in item.findings]
    assert LAST_RUN_FAILED not in kinds
    [standing] = [f for f in item.findings if f.kind == REFUSED]
    assert "repeated known problems only" in standing.text

    nameless(messy.state, ids[20])
    fourth = committed(run_sync, club)

    assert fourth.new_problems == 1
    assert len(mail.outbox) == 2
    body = mail.outbox[1].body
    assert f"contact {ids[20]} has no name" in body
    assert f"contact {ids[10]} has no name" not in body
    assert "1 earlier problem persists: already reported, not listed again." in body


def test_a_partial_run_with_known_problems_only_after_a_failure_is_back_to_normal(
    committed, club, messy
):
    ids = sorted(c["id"] for c in messy.state.contacts)
    nameless(messy.state, ids[10])
    committed(run_sync, club)  # partial: mailed
    # A run that failed (Twizzit down) between two partial runs over the same data.
    failed = SyncLog.objects.create(
        config=club,
        sync_type=SyncType.FULL,
        status=SyncStatus.FAILED,
        started_at=timezone.now(),
        completed_at=timezone.now(),
        message="Twizzit answered 503",
    )

    again = committed(run_sync, club)

    assert (again.status, again.new_problems) == (SyncStatus.PARTIAL, 0)
    first, back = mail.outbox
    assert first.subject.endswith("ended with errors")
    assert back.subject.endswith("syncs are back to normal")
    assert f"#{failed.pk}" in back.body
