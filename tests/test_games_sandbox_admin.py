"""The sandbox's season of events and its event controls; the games in the admin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shotspot.models import Game, Team
from tests.test_sandbox import Api, control


@pytest.fixture
def api(sandbox):
    return Api(sandbox)


def all_events(api, **params):
    rows, offset = [], 0
    while True:
        page = api.rows("events", limit=100, offset=offset, **params)
        rows.extend(page)
        if len(page) < 100:
            return rows
        offset += 100


def test_the_sandbox_serves_a_season_of_fixtures_trainings_meetings_a_cancelled_match_and_a_derby(
    api, sandbox
):
    events = all_events(api)
    assert events == sandbox.state.events and len(events) > 100
    season = sandbox.state.current_season
    assert all(season["start-date"] <= e["start"][:10] <= season["end-date"] for e in events)
    types = {kind["id"]: kind["name"] for kind in api.rows("event-types")}
    by_type = {
        name: [e for e in events if types[e["event-type"]] == name] for name in types.values()
    }
    assert len(by_type["Training"]) == 2 * 24 and by_type["Activity"]
    matches = by_type["Match"]
    assert any(isinstance(e["address"], dict) for e in matches)  # home
    assert any(isinstance(e["address"], str) for e in matches)  # away
    [cancelled] = [e for e in matches if e.get("cancelled")]
    assert cancelled["score"] == ""
    [derby] = [e for e in matches if len(e["event-groups"]) == 2]
    assert all(isinstance(group, int) for group in derby["event-groups"])
    assert any(e["score"] for e in matches) and any(not e["score"] for e in matches)
    sub_types = api.rows("event-sub-types")
    assert {s["event-type"] for s in sub_types} == {1, 2, 3}
    assert all(set(s["name"]) == {"EN", "NL", "FR"} for s in sub_types)


def test_events_are_listed_by_start_date_and_paged_at_most_100(api, sandbox):
    assert len(api.rows("events", limit=500)) == 100
    year = sandbox.state.current_season["start-date"][:4]  # October of this season
    october = api.rows("events", **{"start-date": f"{year}-10-01", "end-date": f"{year}-10-31"})
    assert october and all(e["start"].startswith(f"{year}-10") for e in october)


def test_http_controls_add_edit_and_remove_events(api, sandbox):
    added = control(sandbox, "POST", "events", name="Seniors 1 - Kwik 3")
    assert added.status_code == 201
    event = added.json()
    assert event["event-type"] == 1 and event["event-groups"][0]["id"]
    edited = control(sandbox, "PATCH", f"events/{event['id']}", cancelled=True, score="3-2")
    assert edited.json()["cancelled"] is True
    assert sandbox.state.event(event["id"])["score"] == "3-2"
    assert control(sandbox, "DELETE", f"events/{event['id']}").status_code == 200
    assert control(sandbox, "GET", f"events/{event['id']}").status_code == 404
    assert event["id"] not in {e["id"] for e in all_events(api)}
    again = control(sandbox, "POST", "events", id=sandbox.state.events[0]["id"])
    assert again.status_code == 400 and "already exists" in again.json()["error"]


# --- the admin ------------------------------------------------------------------------------
@pytest.fixture
def admin_client_logged_in(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.django_db
def test_the_team_page_lists_its_upcoming_games_and_not_past_ones(admin_client_logged_in):
    team = Team.objects.create(name="Kern 1")
    now = timezone.now()
    Game.objects.create(team=team, opponent="Sikopi", start=now + timedelta(days=3))
    Game.objects.create(team=team, opponent="Boeckenberg", start=now - timedelta(days=3))
    html = admin_client_logged_in.get(
        reverse("admin:shotspot_team_change", args=[team.pk])
    ).content.decode()
    assert "Upcoming games" in html
    assert "Sikopi" in html and "Boeckenberg" not in html
    response = admin_client_logged_in.get(reverse("admin:shotspot_game_changelist"))
    assert response.status_code == 200 and "Boeckenberg" in response.content.decode()


@pytest.mark.django_db
def test_a_game_is_added_by_hand_with_team_opponent_and_kick_off_only(admin_client_logged_in):
    team = Team.objects.create(name="Kern 1")
    response = admin_client_logged_in.post(
        reverse("admin:shotspot_game_add"),
        {
            "team": team.pk,
            "opponent": "Scaldis",
            "is_home": "unknown",
            "status": "scheduled",
            "start_0": "2026-03-01",
            "start_1": "15:00:00",
            "sync_source": "manual",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    game = Game.objects.get()
    assert (game.opponent, game.is_home, game.venue, game.home_score) == ("Scaldis", None, "", None)


@pytest.mark.django_db
def test_saving_a_team_with_upcoming_games_listed_changes_no_game(admin_client_logged_in):
    team = Team.objects.create(name="Kern 1")
    upcoming = Game.objects.create(
        team=team, opponent="Sikopi", start=timezone.now() + timedelta(days=3)
    )
    url = reverse("admin:shotspot_team_change", args=[team.pk])
    response = admin_client_logged_in.post(
        url,
        {
            "name": "Kern 1 renamed",
            "short_name": "",
            "category": "",
            "logo_url": "",
            "sync_source": "manual",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "games-TOTAL_FORMS": "1",
            "games-INITIAL_FORMS": "1",
            "games-0-id": str(upcoming.pk),
            "games-0-team": str(team.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    team.refresh_from_db()
    upcoming.refresh_from_db()
    assert team.name == "Kern 1 renamed"
    assert (upcoming.opponent, upcoming.team_id) == ("Sikopi", team.pk)
