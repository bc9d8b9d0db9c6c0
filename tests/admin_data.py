"""A database with a row of every model the admin shows: for tests that open every page.

`populate(config, sandbox)` runs a real full sync against the sandbox (players, teams,
seasons, rosters, games, mappings, a sync log, API usage), then a preview, makes one player
and one game disagree on both sides so the next syncs raise conflicts (and e-mail them),
runs a games sync and a selected-records sync, and adds the django-q2 rows
(a finished and a failed task, a queued one on the ORM broker), a group, an
API token, and one player erased on request.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone
from django_q.models import OrmQ, Task
from rest_framework.authtoken.models import Token

from twizzit.models import EventMapping, PlayerMapping, SyncType
from twizzit.services.privacy.erasure import erase_player
from twizzit.sync import run_sync


def make_conflict(config, sandbox):
    """Both sides change one player's last name; the next sync asks a person."""
    mapping = PlayerMapping.objects.filter(config=config, player__isnull=False).first()
    player = mapping.player
    player.last_name = "Local-Name"
    player.save()
    sandbox.state.update_contact(mapping.twizzit_contact_id, **{"last-name": "Remote-Name"})
    return player


def make_game_conflict(config, sandbox):
    """Both sides change one game's venue; the next games sync asks a person."""
    mapping = EventMapping.objects.filter(config=config, game__isnull=False).first()
    game = mapping.game
    game.venue = "Sporthal Het Rooi"
    game.save()
    sandbox.state.update_event(mapping.twizzit_event_id, address="Sporthal De Vijver")
    return game


def populate(config, sandbox, user) -> None:
    # Synced as on a day early in the sandbox's season: its games window holds every game,
    # whatever day of the year the tests run.
    start = date.fromisoformat(sandbox.state.current_season["start-date"])
    moment = datetime.combine(start, time(10), tzinfo=UTC) + timedelta(days=10)
    with time_machine.travel(moment, tick=True):
        run_sync(config)
        make_conflict(config, sandbox)
        run_sync(config)
        run_sync(config, dry_run=True)
        make_game_conflict(config, sandbox)
        run_sync(config, SyncType.GAMES)
        contact = PlayerMapping.objects.filter(config=config).first().twizzit_contact_id
        run_sync(config, SyncType.SELECTED, selection={"contact_ids": [contact, 987_654]})
    now = timezone.now()
    for success in (True, False):
        Task.objects.create(
            id=uuid.uuid4().hex,
            name=f"task-{success}",
            func="twizzit.tasks.janitor",
            started=now,
            stopped=now,
            success=success,
            result="done" if success else "boom",
        )
    # A member erased on request: the erased-contacts list has its one row.
    erase_player(PlayerMapping.objects.filter(config=config).order_by("-pk").first().player)
    OrmQ.objects.create(key="shotspot", payload="x", lock=None)
    Group.objects.create(name="coach")
    Token.objects.create(user=user)
