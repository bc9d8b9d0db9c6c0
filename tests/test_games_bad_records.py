"""One bad event never stops the games phase (issue 11's rules, applied to Twizzit events).

Over real HTTP against the sandbox: a malformed event costs one error entry that quotes
no value from the event; an event listed twice is synced once, with one warning naming
the event; every other game of the listing is written.
"""

import json

import pytest
from django.urls import reverse

from shotspot.models import Game
from tests.sandbox import connect
from twizzit.connection.gateway import client_for
from twizzit.models import EventMapping, SyncStatus, SyncType, TeamMapping
from twizzit.sync import run_sync
from twizzit.sync.games import current_window

PLANTED_BIRTH_DATE = "14/03/1987"


@pytest.fixture
def config(db, sandbox, early_in_season):
    config = connect(sandbox)
    run_sync(config, SyncType.TEAMS)
    config.refresh_from_db()
    return config


def first_page(config) -> list[dict]:
    window, _ = current_window(config)
    return next(iter(client_for(config).iter_events(start_date=window.start, end_date=window.end)))


def single_team_matches(page, synced_groups):
    for event in page:
        groups = [g if isinstance(g, int) else g["id"] for g in event["event-groups"]]
        if event["event-type"] == 1 and len(groups) == 1 and groups[0] in synced_groups:
            yield event


def entries(log, level):
    return [e for e in log.errors if e["level"] == level and e["entity"] == "games"]


def test_a_malformed_event_costs_one_error_quoting_nothing_and_a_repeat_one_warning(
    config, sandbox
):
    page = first_page(config)
    groups = set(
        TeamMapping.objects.filter(config=config).values_list("twizzit_group_id", flat=True)
    )
    repeated, malformed = list(single_team_matches(page, groups))[:2]
    broken = {**malformed, "start": f"{PLANTED_BIRTH_DATE} 20:00", "series": PLANTED_BIRTH_DATE}
    # Same length as the real page, so the client pages on exactly as before.
    body = [e if e["id"] != malformed["id"] else broken for e in page[:-1]] + [repeated]
    sandbox.state.fail("events", status=200, offset=0, body=json.dumps(body))

    log = run_sync(config, SyncType.GAMES)

    assert log.status == SyncStatus.PARTIAL
    [error] = entries(log, "error")
    assert error["twizzit_id"] == malformed["id"]
    [warning] = entries(log, "warning")
    assert warning["twizzit_id"] == repeated["id"]
    assert "more than once" in warning["message"]
    said = json.dumps([log.message, log.errors])
    assert PLANTED_BIRTH_DATE not in said and "1987" not in said
    assert not EventMapping.objects.filter(twizzit_event_id=malformed["id"]).exists()
    assert EventMapping.objects.filter(twizzit_event_id=repeated["id"]).count() == 1
    assert Game.objects.count() == log.stats["games"]["created"] > 100


def test_the_sync_log_links_a_games_entry_to_the_game(config, sandbox, client, admin_user):
    page = first_page(config)
    groups = set(
        TeamMapping.objects.filter(config=config).values_list("twizzit_group_id", flat=True)
    )
    repeated = next(single_team_matches(page, groups))
    sandbox.state.fail("events", status=200, offset=0, body=json.dumps([*page[:-1], repeated]))
    log = run_sync(config, SyncType.GAMES)
    [warning] = entries(log, "warning")
    game = EventMapping.objects.filter(twizzit_event_id=warning["twizzit_id"]).first().game
    client.force_login(admin_user)
    html = client.get(reverse("admin:twizzit_synclog_change", args=[log.pk])).content.decode()
    assert reverse("admin:shotspot_game_change", args=[game.pk]) in html
