"""The conflict review screen in the admin: both sides shown, decisions go through the service."""

import pytest
from django.urls import reverse
from django_q.conf import Conf

from shotspot.models import Player
from tests.sandbox import connect
from twizzit.models import ConflictType, EntityType, PlayerMapping, Resolution, SyncConflict
from twizzit.sync import run_sync


@pytest.fixture
def config(db, sandbox):
    return connect(sandbox)


@pytest.fixture
def logged_in(client, admin_user):
    client.force_login(admin_user)
    return client


def mismatch(config, sandbox, count=1):
    """Sync, then change email on both sides of `count` contacts, sync again."""
    run_sync(config)
    contacts = sorted(sandbox.state.contacts, key=lambda c: c["id"])[:count]
    for contact in contacts:
        mapping = PlayerMapping.objects.get(config=config, twizzit_contact_id=contact["id"])
        mapping.player.email = f"shotspot.{contact['id']}@club.be"
        mapping.player.save()
        sandbox.state.update_contact(
            contact["id"],
            **{"email-1": {"target": None, "email": f"twizzit.{contact['id']}@club.be"}},
        )
    run_sync(config)
    return list(SyncConflict.objects.filter(resolution=Resolution.PENDING).order_by("pk"))


def review_url(conflict):
    return reverse("admin:twizzit_syncconflict_change", args=[conflict.pk])


def test_review_screen_shows_base_shotspot_and_twizzit_values(logged_in, config, sandbox):
    [conflict] = mismatch(config, sandbox)
    html = logged_in.get(review_url(conflict)).content.decode()
    assert conflict.base_data["email"] in html
    assert f"shotspot.{conflict.twizzit_id}@club.be" in html
    assert f"twizzit.{conflict.twizzit_id}@club.be" in html
    assert f"Twizzit: twizzit.{conflict.twizzit_id}@club.be" in html
    assert f"ShotSpot: shotspot.{conflict.twizzit_id}@club.be" in html
    assert f"<title>{conflict.player} — changed on both sides" in html


def test_deciding_twizzit_wins_applies_twizzit_value_and_records_who(
    logged_in, config, sandbox, admin_user
):
    [conflict] = mismatch(config, sandbox)
    response = logged_in.post(review_url(conflict), {"decide_email": "twizzit"})
    assert response.status_code == 302
    conflict.refresh_from_db()
    assert conflict.resolution == Resolution.TWIZZIT_WINS
    assert conflict.resolved_by == admin_user
    assert conflict.player.email == f"twizzit.{conflict.twizzit_id}@club.be"


def test_manual_values_are_validated_and_a_bad_one_changes_nothing(logged_in, config, sandbox):
    [conflict] = mismatch(config, sandbox)
    response = logged_in.post(
        review_url(conflict), {"decide_email": "typed", "value_email": "not an email"}
    )
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    conflict.refresh_from_db()
    assert conflict.is_pending
    assert conflict.player.email == f"shotspot.{conflict.twizzit_id}@club.be"

    logged_in.post(review_url(conflict), {"decide_email": "typed", "value_email": "ok@club.be"})
    conflict.refresh_from_db()
    assert conflict.resolution == Resolution.MANUAL
    assert conflict.player.email == "ok@club.be"


def test_a_duplicate_is_linked_to_the_player_chosen_on_the_screen(logged_in, config, sandbox):
    contact = min(sandbox.state.contacts, key=lambda c: c["id"])
    sandbox.state.update_contact(
        contact["id"], **{"email-1": {"target": None, "email": "twins@club.be"}}
    )
    one = Player.objects.create(first_name="A", last_name="One", email="twins@club.be")
    Player.objects.create(first_name="B", last_name="Two", email="twins@club.be")
    run_sync(config)
    conflict = SyncConflict.objects.get(conflict_type=ConflictType.DUPLICATE)
    assert "A One" in logged_in.get(review_url(conflict)).content.decode()

    logged_in.post(review_url(conflict), {"resolution": "manual", "local_id": one.pk})

    mapping = PlayerMapping.objects.get(config=config, twizzit_contact_id=contact["id"])
    assert mapping.player == one


def test_a_resolved_conflict_is_shown_without_a_form(logged_in, config, sandbox):
    [conflict] = mismatch(config, sandbox)
    logged_in.post(review_url(conflict), {"decide_email": "shotspot"})
    html = logged_in.get(review_url(conflict)).content.decode()
    assert "Keep ShotSpot&#x27;s values" in html or "Keep ShotSpot's values" in html
    assert 'value="Resolve"' not in html
    assert logged_in.post(review_url(conflict), {"decide_email": "twizzit"}).status_code == 403


def test_bulk_action_resolves_the_selected_conflicts_through_the_task(
    logged_in, config, sandbox, monkeypatch
):
    conflicts = mismatch(config, sandbox, count=3)
    monkeypatch.setattr(Conf, "SYNC", True)  # run the enqueued task in this process
    response = logged_in.post(
        reverse("admin:twizzit_syncconflict_changelist"),
        {"action": "resolve_twizzit_wins", "_selected_action": [c.pk for c in conflicts]},
        follow=True,
    )
    assert "3 conflicts are being resolved in the background" in response.content.decode()
    assert not SyncConflict.objects.filter(resolution=Resolution.PENDING).exists()
    for conflict in conflicts:
        conflict.refresh_from_db()
        assert conflict.player.email == f"twizzit.{conflict.twizzit_id}@club.be"


def test_a_resolution_the_conflict_kind_does_not_allow_is_refused(config, sandbox):
    from twizzit.sync import ResolutionError, resolve_conflict

    run_sync(config)
    contact = min(sandbox.state.contacts, key=lambda c: c["id"])
    PlayerMapping.objects.get(twizzit_contact_id=contact["id"]).player.delete()
    run_sync(config)
    conflict = SyncConflict.objects.get(conflict_type=ConflictType.DELETED_IN_SHOTSPOT)
    with pytest.raises(ResolutionError, match="cannot be resolved as manual"):
        resolve_conflict(conflict, "manual", values={"email": "x@y.be"})
    conflict.refresh_from_db()
    assert conflict.is_pending


def test_deciding_field_by_field_applies_each_choice_and_moves_to_the_next_pending(
    logged_in, config, sandbox, admin_user
):
    first, second = mismatch(config, sandbox, count=2)
    response = logged_in.post(
        review_url(first), {"decide_email": "typed", "value_email": "mine@club.be"}
    )
    assert response.status_code == 302
    assert response["Location"] == review_url(second)
    first.refresh_from_db()
    assert first.resolution == Resolution.MANUAL
    assert first.player.email == "mine@club.be"

    html = logged_in.get(review_url(first)).content.decode()
    assert "Decided field by field" in html
    assert f"<dd>{admin_user}</dd>" in html
    assert "<th>Email</th><td>mine@club.be</td>" in html
    assert "{" not in html.split("<h2>Applied</h2>")[1].split("</table>")[0]


def test_the_review_links_to_the_previous_and_next_pending_conflicts(logged_in, config, sandbox):
    one, two, three = mismatch(config, sandbox, count=3)
    html = logged_in.get(review_url(two)).content.decode()
    assert f'href="{review_url(one)}" rel="prev"' in html
    assert f'href="{review_url(three)}" rel="next"' in html
    first = logged_in.get(review_url(one)).content.decode()
    assert "No previous pending conflict" in first


def test_fields_not_in_conflict_are_listed_apart_and_not_asked_about(logged_in, config, sandbox):
    [conflict] = mismatch(config, sandbox)
    html = logged_in.get(review_url(conflict)).content.decode()
    calm = html.split("<h2>Not in conflict</h2>")[1]
    assert f"<th>Last name</th><td>{conflict.player.last_name}</td>" in calm
    assert 'name="decide_last_name"' not in html
    assert 'name="decide_email"' in html


def test_a_duplicate_shows_its_candidates_beside_the_twizzit_record(logged_in, config, sandbox):
    contact = min(sandbox.state.contacts, key=lambda c: c["id"])
    sandbox.state.update_contact(
        contact["id"], **{"email-1": {"target": None, "email": "twins@club.be"}}
    )
    one = Player.objects.create(first_name="A", last_name="One", email="twins@club.be")
    two = Player.objects.create(first_name="B", last_name="Two", email="twins@club.be")
    run_sync(config)
    conflict = SyncConflict.objects.get(conflict_type=ConflictType.DUPLICATE)
    html = logged_in.get(review_url(conflict)).content.decode()
    assert f"ShotSpot: A One (#{one.pk})" in html and f"ShotSpot: B Two (#{two.pk})" in html
    assert '<td class="same">twins@club.be</td>' in html
    assert "Link it to the player I choose" in html


def test_a_game_conflict_is_found_by_its_twizzit_event_id_and_says_event_and_group(
    logged_in, config
):
    game = SyncConflict.objects.create(
        config=config,
        entity_type=EntityType.GAME,
        twizzit_id=640063 * 10**9 + 9010,
        conflict_type=ConflictType.DELETED_IN_TWIZZIT,
    )
    SyncConflict.objects.create(  # another event of the same group is not found
        config=config,
        entity_type=EntityType.GAME,
        twizzit_id=640064 * 10**9 + 9010,
        conflict_type=ConflictType.DELETED_IN_TWIZZIT,
    )

    page = logged_in.get("/admin/twizzit/syncconflict/", {"q": "640063"}).content.decode()
    review = logged_in.get(review_url(game)).content.decode()

    assert page.count(f"/admin/twizzit/syncconflict/{game.pk}/change/") == 1
    assert "640064" not in page
    assert "Event 640063 (group 9010)" in review
