"""Game conflicts through the screens and services built for players and teams.

A game (one Twizzit event for one team) can be "changed on both sides" or "deleted in
Twizzit" like a player. The review screen, the conflict list, the REST API and the
conflicts e-mail must name the game and decide it, over real HTTP against the sandbox.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from shotspot.models import GameStatus
from tests.sandbox import connect
from twizzit.mappers.events import game_key
from twizzit.models import (
    ConflictType,
    EntityType,
    EventMapping,
    Resolution,
    SyncConflict,
    SyncType,
)
from twizzit.notify import compose
from twizzit.sync import run_sync

MATCH = 1


@pytest.fixture
def config(db, sandbox, early_in_season):
    config = connect(sandbox)
    run_sync(config, SyncType.TEAMS)
    run_sync(config, SyncType.GAMES)
    config.refresh_from_db()
    return config


@pytest.fixture
def logged_in(client, admin_user):
    client.force_login(admin_user)
    return client


def a_match(sandbox):
    for event in sandbox.state.events:
        if (
            len(event["event-groups"]) == 1
            and event["event-type"] == MATCH
            and isinstance(event["address"], dict)
            and not event["score"]
            and not event.get("cancelled")
        ):
            return event
    raise AssertionError("no single-team home match in the sandbox")


def game_of(config, event):
    group = event["event-groups"][0]
    group = group if isinstance(group, int) else group["id"]
    return EventMapping.objects.get(config=config, twizzit_key=game_key(event["id"], group)).game


def pending_game_conflict(config):
    return SyncConflict.objects.get(
        config=config, entity_type=EntityType.GAME, resolution=Resolution.PENDING
    )


@pytest.fixture
def venue_and_competition_conflict(config, sandbox):
    """ShotSpot and Twizzit both changed the venue and the competition of one game."""
    event = a_match(sandbox)
    game = game_of(config, event)
    game.venue = "Sporthal Het Rooi"
    game.competition = "Beker"
    game.save()
    sandbox.state.update_event(event["id"], address="Sporthal De Vijver, Mechelen")
    sandbox.state.update_event(event["id"], series=[77])
    run_sync(config, SyncType.GAMES)
    conflict = pending_game_conflict(config)
    assert conflict.conflict_type == ConflictType.DATA_MISMATCH
    assert "venue" in conflict.fields
    return conflict, game


@pytest.fixture
def removed_game_conflict(config, sandbox):
    event = a_match(sandbox)
    game = game_of(config, event)
    sandbox.state.remove_event(event["id"])
    run_sync(config, SyncType.GAMES)
    conflict = pending_game_conflict(config)
    assert conflict.conflict_type == ConflictType.DELETED_IN_TWIZZIT
    return conflict, game


def review_url(conflict):
    return reverse("admin:twizzit_syncconflict_change", args=[conflict.pk])


def test_a_game_changed_on_both_sides_is_reviewed_under_the_games_name(
    logged_in, venue_and_competition_conflict
):
    conflict, game = venue_and_competition_conflict
    response = logged_in.get(review_url(conflict))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<title>{game} — changed on both sides" in html
    assert reverse("admin:shotspot_game_change", args=[game.pk]) in html
    assert "ShotSpot: Sporthal Het Rooi" in html
    assert "Twizzit: Sporthal De Vijver, Mechelen" in html
    # The fields not in conflict are the game's own, in words: its team by name.
    assert f"<td>{game.team}</td>" in html
    assert game.start.isoformat() not in html


def test_a_game_conflict_is_decided_field_by_field_on_the_review_screen(
    logged_in, venue_and_competition_conflict
):
    conflict, game = venue_and_competition_conflict
    post = {f"decide_{name}": "shotspot" for name in conflict.fields}
    post["decide_venue"] = "twizzit"
    response = logged_in.post(review_url(conflict), post)
    assert response.status_code == 302
    conflict.refresh_from_db()
    game.refresh_from_db()
    assert conflict.resolution == Resolution.MANUAL
    assert game.venue == "Sporthal De Vijver, Mechelen"
    assert game.competition == "Beker"
    page = logged_in.get(review_url(conflict)).content.decode()
    assert "Sporthal De Vijver, Mechelen" in page


def test_the_conflict_list_names_a_game_and_finds_it_by_opponent_not_its_twizzit_key(
    logged_in, removed_game_conflict
):
    conflict, game = removed_game_conflict
    html = logged_in.get(reverse("admin:twizzit_syncconflict_changelist")).content.decode()
    review = review_url(conflict)
    assert f'<a href="{review}">{game}</a>' in html
    assert str(conflict.twizzit_id) not in html  # not even in the row's checkbox label
    changelist = reverse("admin:twizzit_syncconflict_changelist")
    found = logged_in.get(changelist, {"q": game.opponent}).content.decode()
    assert f">{game}</a>" in found and "0 of 1 selected" in found
    assert (
        "0 sync conflicts"
        in logged_in.get(changelist, {"q": "Nobody-By-This-Name"}).content.decode()
    )


def test_a_game_gone_from_twizzit_is_reviewed_and_cancelled_on_the_screen(
    logged_in, removed_game_conflict
):
    conflict, game = removed_game_conflict
    response = logged_in.get(review_url(conflict))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<title>{game} — deleted in Twizzit" in html
    # The kick-off in the configured zone and words, not a UTC ISO string.
    assert game.start.isoformat() not in html
    assert "Cancel the game in ShotSpot" in html and "Archive" not in html
    response = logged_in.post(review_url(conflict), {"resolution": "twizzit_wins"})
    assert response.status_code == 302
    game.refresh_from_db()
    assert game.status == GameStatus.CANCELLED
    html = logged_in.get(review_url(conflict)).content.decode()
    assert "Resolved: Cancel the game in ShotSpot" in html
    assert "Cancelled ShotSpot game" in html


def test_the_api_names_and_resolves_a_game_conflict_field_by_field(
    admin_user, venue_and_competition_conflict
):
    conflict, game = venue_and_competition_conflict
    api = APIClient()
    api.force_authenticate(admin_user)
    listed = api.get(f"/api/twizzit/conflicts/{conflict.pk}/").json()
    assert listed["label"] == str(game)
    assert listed["local_id"] == game.pk
    decisions = dict.fromkeys(conflict.fields, "shotspot")
    decisions["venue"] = {"value": "Sporthal Elders"}
    response = api.post(
        f"/api/twizzit/conflicts/{conflict.pk}/resolve/",
        {"resolution": "manual", "fields": decisions},
        format="json",
    )
    assert response.status_code == 200, response.json()
    game.refresh_from_db()
    assert game.venue == "Sporthal Elders"
    assert game.competition == "Beker"


def test_the_conflicts_mail_names_a_game_by_its_fixture(removed_game_conflict):
    conflict, game = removed_game_conflict
    mail = compose.conflicts(conflict.config, conflict.sync_log, [conflict])
    assert str(game) in mail.text
    assert str(conflict.twizzit_id) not in mail.text
