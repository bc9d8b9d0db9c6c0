"""Erasing a member on request (issue 23): every copy goes, the next sync leaves them out."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess

import pytest
from django.db import connection

from shotspot.models import Player, TeamMembership
from tests.privacy_data import MEMBER, SECRETS, hits_in_tables, plant_member
from tests.sandbox import connect
from twizzit.models import (
    ErasedContact,
    Notification,
    PlayerMapping,
    Resolution,
    SyncConflict,
    SyncLog,
)
from twizzit.services.privacy.erasure import erase_player, lift_suppression, plan_erasure
from twizzit.sync import run_sync
from twizzit.sync.entities import PlayerImporter

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def config(sandbox, admin_user):
    return connect(sandbox)


def pg_dump_hits(values=SECRETS) -> list[str]:
    """Lines of a pg_dump of the test database naming any value (PostgreSQL only)."""
    settings = connection.settings_dict
    dump = subprocess.run(
        [
            shutil.which("pg_dump") or "pg_dump",
            "--data-only",
            "-h",
            settings["HOST"] or "127.0.0.1",
            "-p",
            str(settings["PORT"] or 5432),
            "-U",
            settings["USER"] or "postgres",
            settings["NAME"],
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""},
    ).stdout
    assert "COPY public.shotspot_player" in dump  # the dump did read the database
    return [line for line in dump.lower().splitlines() if any(v in line for v in values)]


def test_planted_member_is_everywhere_before_the_erasure(config, sandbox, admin_user):
    player, _contact_id = plant_member(config, sandbox, admin_user)
    found = hits_in_tables()
    for table in (
        "shotspot_player",
        "twizzit_playermapping",
        "twizzit_syncconflict",
        "twizzit_synclog",
        "twizzit_notification",
        "django_admin_log",
        "django_q_task (unpickled)",
    ):
        assert table in found, table
    assert TeamMembership.objects.filter(player=player).exists()
    plan = plan_erasure(player)
    assert plan.memberships == 1
    assert plan.pending_conflicts == 2  # the data mismatch and the duplicate
    assert plan.notifications and plan.tasks and plan.runs and plan.history == 2


def test_no_personal_value_reaches_an_error_entry_a_mail_subject_or_a_log_line(
    config, sandbox, admin_user, caplog
):
    caplog.set_level(logging.DEBUG)
    plant_member(config, sandbox, admin_user)

    entries = [e["message"] for log in SyncLog.objects.all() for e in log.errors]
    assert any("number" in message for message in entries)  # the planted bad value
    subjects = list(Notification.objects.values_list("subject", flat=True))
    assert subjects
    for text in (*entries, *subjects, caplog.text):
        assert [value for value in SECRETS if value in text.lower()] == [], text


def test_the_merge_base_keeps_only_the_fields_the_merge_compares(config, sandbox, admin_user):
    _player, contact_id = plant_member(config, sandbox, admin_user)
    mapping = PlayerMapping.objects.get(config=config, twizzit_contact_id=contact_id)
    assert set(mapping.base_data) == set(PlayerImporter.fields)
    # Nothing of the raw record beyond them: no address, no account number, no nationality.
    raw = sandbox.state.contact(contact_id)
    assert raw["address"] or raw["account-number"] or raw["nationality"]
    stored = str(mapping.base_data)
    assert not any(str(raw[key]) in stored for key in ("account-number", "nationality") if raw[key])


def test_erasing_a_member_leaves_no_copy_and_the_next_sync_does_not_bring_them_back(
    config, sandbox, admin_user, caplog
):
    caplog.set_level(logging.DEBUG)
    player, contact_id = plant_member(config, sandbox, admin_user)
    players_before = Player.objects.count()

    result = erase_player(player, user=admin_user)

    assert result.suppressed == [(config.organization_name, contact_id)]
    assert hits_in_tables() == {}
    if connection.vendor == "postgresql":
        assert pg_dump_hits() == []
    assert Player.objects.count() == players_before - 1
    assert not PlayerMapping.objects.filter(twizzit_contact_id=contact_id).exists()
    closed = SyncConflict.objects.filter(resolution=Resolution.ERASED)
    assert closed.count() == 2
    assert all(not c.shotspot_data and not c.twizzit_data and not c.candidates for c in closed)
    [suppression] = ErasedContact.objects.all()
    assert (suppression.config_id, suppression.twizzit_contact_id) == (config.pk, contact_id)

    log = run_sync(config)

    assert log.status == "success"
    assert log.stats["players"]["erased"] == 1
    assert Player.objects.count() == players_before - 1
    assert not Player.objects.filter(last_name=MEMBER["last_name"]).exists()
    assert hits_in_tables() == {}
    logged = caplog.text.lower()
    assert [value for value in SECRETS if value in logged] == []

    lift_suppression(ErasedContact.objects.all())
    log = run_sync(config)

    back = PlayerMapping.objects.get(config=config, twizzit_contact_id=contact_id).player
    assert (back.first_name, back.last_name) == (MEMBER["first_name"], MEMBER["last_name"])
    assert log.stats["players"]["erased"] == 0
    assert TeamMembership.objects.filter(player=back).count() == 1


def test_erasure_keeps_the_mail_record_but_not_its_text(config, sandbox, admin_user):
    player, _contact_id = plant_member(config, sandbox, admin_user)
    mails = list(Notification.objects.filter(body_text__icontains=MEMBER["last_name"]))
    assert mails

    erase_player(player, user=admin_user)

    for mail in Notification.objects.filter(pk__in=[m.pk for m in mails]):
        assert mail.subject  # who was told what, when, stays
        assert "erased" in mail.body_text
        assert MEMBER["last_name"].lower() not in mail.body_html.lower()
