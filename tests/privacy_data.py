"""One member planted in every place ShotSpot keeps personal data (issue 23's tests).

`plant_member` goes through the real paths where it can: the sandbox Twizzit lists the
member, syncs import them with a roster line, an edit on both sides raises a data
mismatch (and its mail), a bad value gives an error entry, a preview plans a change.
The copies no sync makes today (a duplicate conflict naming them as a candidate, a
background task's result, the admin's change history) are written as those parts of
the system write them.
"""

from __future__ import annotations

import uuid

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection
from django.utils import timezone
from django_q.models import Task

from shotspot.models import Player
from twizzit.models import ConflictType, EntityType, PlayerMapping, SyncConflict
from twizzit.sync import run_sync

MEMBER = {
    "first_name": "Zephyrine",
    "last_name": "Quaglietti",
    "date_of_birth": "2013-04-27",
    "email": "zq.parents@example.org",
    "local_email": "zq.shotspot@example.org",
    "twizzit_email": "zq.twizzit@example.org",
    "phone": "471234567",
}
# What must not be found anywhere after the erasure.
SECRETS = (
    "zephyrine",
    "quaglietti",
    "2013-04-27",
    "zq.parents@example.org",
    "zq.shotspot@example.org",
    "zq.twizzit@example.org",
    "471234567",
)


def current_group(sandbox) -> dict:
    current = sandbox.state.current_season["id"]
    return min(
        (g for g in sandbox.state.groups if (g["season"] or {}).get("id") == current),
        key=lambda g: g["id"],
    )


def add_member(sandbox) -> dict:
    no_phone = {"target": None, "cc": "", "number": ""}
    no_email = {"target": None, "email": ""}
    contact = sandbox.state.add_contact(
        first_name=MEMBER["first_name"],
        last_name=MEMBER["last_name"],
        name=f"{MEMBER['first_name']} {MEMBER['last_name']}",
        date_of_birth=MEMBER["date_of_birth"],
        email_1={"target": "parents", "email": MEMBER["email"]},
        email_2=no_email,
        email_3=no_email,
        mobile_1={"target": "parents", "cc": "32", "number": MEMBER["phone"]},
        mobile_2=no_phone,
        mobile_3=no_phone,
        phone=no_phone,
        number=9,
    )
    sandbox.state.add_group_contact(current_group(sandbox)["id"], contact["id"])
    return contact


def plant_member(config, sandbox, admin_user) -> tuple[Player, int]:
    """The member in every place; returns their player and Twizzit contact id."""
    contact = add_member(sandbox)
    contact_id = contact["id"]
    run_sync(config)
    player = PlayerMapping.objects.get(config=config, twizzit_contact_id=contact_id).player
    # A data mismatch: the e-mail changed on both sides (and the conflicts mail about it).
    player.email = MEMBER["local_email"]
    player.save()
    sandbox.state.update_contact(
        contact_id, email_1={"target": "parents", "email": MEMBER["twizzit_email"]}
    )
    run_sync(config)
    # An error entry: Twizzit sends a jersey number ShotSpot cannot store.
    sandbox.state.update_contact(contact_id, number="nine")
    run_sync(config)
    sandbox.state.update_contact(contact_id, number=10)
    # A preview's planned change.
    run_sync(config, dry_run=True)
    # A duplicate conflict of another Twizzit contact that named them as a candidate.
    SyncConflict.objects.create(
        config=config,
        entity_type=EntityType.PLAYER,
        twizzit_id=contact_id + 1000,
        conflict_type=ConflictType.DUPLICATE,
        twizzit_data={
            "first_name": MEMBER["first_name"],
            "last_name": MEMBER["last_name"],
            "date_of_birth": MEMBER["date_of_birth"],
            "email": MEMBER["email"],
            "phone": f"+32{MEMBER['phone']}",
        },
        candidates=[{"id": player.pk, "label": str(player), "matched_on": "email"}],
    )
    # A background task whose result named them, and the admin's history of the row.
    Task.objects.create(
        id=uuid.uuid4().hex,
        name="privacy-test-task",
        func="twizzit.tasks.resolve_conflicts_task",
        args=([1], "twizzit_wins"),
        result={"resolved": [str(player)]},
        started=timezone.now(),
        stopped=timezone.now(),
        success=True,
    )
    LogEntry.objects.log_actions(
        admin_user.pk, [player], CHANGE, change_message=f"Changed email of {player}."
    )
    # A roster entry's history is labelled with the player's name too.
    LogEntry.objects.log_actions(admin_user.pk, list(player.memberships.all()), CHANGE)
    return player, contact_id


def hits_in_tables(values=SECRETS) -> dict[str, int]:
    """{table: rows naming any value}: every table's every column, read as text."""
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            hits = 0
            for row in cursor.fetchall():
                text = " ".join(_text(cell) for cell in row).lower()
                hits += any(value in text for value in values)
            if hits:
                found[table] = hits
    # django-q keeps a task's arguments and result pickled (and base64-encoded): read them.
    tasks = sum(
        any(value in repr((t.args, t.kwargs, t.result)).lower() for value in values)
        for t in Task.objects.all()
    )
    if tasks:
        found["django_q_task (unpickled)"] = tasks
    return found


def _text(cell) -> str:
    if isinstance(cell, bytes | memoryview):
        return bytes(cell).decode("utf-8", "ignore")
    return str(cell)
