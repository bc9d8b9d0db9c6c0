"""Each club sees its own in the admin: six kinds of user over every admin page, two clubs.

Every changelist of the integration's and ShotSpot's models holds exactly the user's
clubs' rows; another club's change pages, cockpit, conflict review and personal-data
download answer 404; an action with another club's id among the selection does nothing;
mails go to the club's own admins.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from shotspot.models import Club, Game, Player, Team, TeamMembership
from tests.access.clubs import USERS, players_only_of, two_clubs
from tests.access.test_club_scope_api import REACHES, expected
from twizzit.models import (
    ClubMapping,
    ConnectionAccess,
    Resolution,
    SyncConflict,
    SyncLog,
    TwizzitConfig,
)
from twizzit.notify.recipients import recipients_for

SCOPED_APPS = ("twizzit", "shotspot")


@pytest.fixture
def clubs(sandbox, make_sandbox, django_user_model):
    return two_clubs(sandbox, make_sandbox, django_user_model)


def changelist_ids(client, model, query="") -> set[int] | int:
    opts = model._meta
    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist") + query)
    if response.status_code != 200:
        return response.status_code
    return set(response.context_data["cl"].queryset.values_list("pk", flat=True))


def owned_ids(model, configs) -> set[int]:
    return set(model.objects.filter(config__in=configs).values_list("pk", flat=True))


@pytest.mark.django_db
def test_every_admin_list_holds_exactly_the_rows_of_the_users_clubs(client, clubs):
    models = [m for m in admin.site._registry if m._meta.app_label in SCOPED_APPS]
    for name in USERS:
        client.force_login(clubs.users[name])
        reach = REACHES[name]
        for model in models:
            query = "?status=all" if model is SyncConflict else ""
            seen = changelist_ids(client, model, query)
            if name == "no_role":
                assert seen == 302, model  # not staff: the login page
                continue
            everything = set(model.objects.values_list("pk", flat=True))
            if name == "federation":
                assert seen == everything, model
                continue
            if name == "staff_only":
                assert seen == set(), model  # model permissions alone show no club
                continue
            configs = [getattr(clubs, key) for key in reach]
            if model is TwizzitConfig:
                want = {config.pk for config in configs}
            elif any(field.name == "config" for field in model._meta.fields):
                want = owned_ids(model, configs)
            elif model in (Player, Team, Game):
                kind = {Player: "players", Team: "teams", Game: "games"}[model]
                oracle = expected(clubs, reach)
                want = oracle[kind]
            elif model is TeamMembership:
                want = set(
                    TeamMembership.objects.filter(
                        team__in=expected(clubs, reach)["teams"]
                    ).values_list("pk", flat=True)
                )
            elif model is Club:
                want = set(
                    ClubMapping.objects.filter(config__in=configs).values_list("club", flat=True)
                )
            else:  # seasons: both sandboxes' seasons are the same four, shared by both clubs
                want = expected(clubs, reach)["seasons"]
            assert seen == want, (name, model)
    # The counts differ between the clubs: the matrix is not comparing empty sets.
    assert len(expected(clubs, ("a",))["players"]) > 300


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["admin_a", "coach_a"])
def test_another_clubs_pages_answer_404_in_the_admin(client, clubs, name):
    client.force_login(clubs.users[name])
    b = clubs.b
    conflict = SyncConflict.objects.filter(config=b).first()
    log = SyncLog.objects.filter(config=b).first()
    player = players_only_of(b, clubs.a)[0]
    team = Team.objects.filter(twizzit_mappings__config=b).first()
    urls = [
        reverse("admin:twizzit_twizzitconfig_change", args=[b.pk]),
        reverse("admin:twizzit_twizzitconfig_panel", args=[b.pk]),
        reverse("admin:twizzit_syncconflict_change", args=[conflict.pk]),
        reverse("admin:twizzit_synclog_change", args=[log.pk]),
        reverse("admin:shotspot_player_change", args=[player.pk]),
        reverse("admin:shotspot_player_personal_data", args=[player.pk]),
        reverse("admin:shotspot_team_change", args=[team.pk]),
        reverse("admin:twizzit_playermapping_change", args=[player.twizzit_mappings.first().pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    # Driving B's cockpit: test, sync, cancel. Nothing happens to B.
    logs_before = SyncLog.objects.filter(config=b).count()
    for url in (
        reverse("admin:twizzit_twizzitconfig_test", args=[b.pk]),
        reverse("admin:twizzit_twizzitconfig_sync", args=[b.pk, "full"]),
        reverse("admin:twizzit_twizzitconfig_cancel", args=[b.pk, log.pk]),
    ):
        assert client.post(url, {"confirm": "yes"}).status_code == 404, url
    assert SyncLog.objects.filter(config=b).count() == logs_before
    b.refresh_from_db()
    assert b.credentials_checked_at is None
    # Resolving B's conflict from its review page: refused, still pending.
    response = client.post(
        reverse("admin:twizzit_syncconflict_change", args=[conflict.pk]),
        {"resolution": "twizzit_wins"},
    )
    assert response.status_code == 404
    conflict.refresh_from_db()
    assert conflict.resolution == Resolution.PENDING


@pytest.mark.django_db
def test_an_admin_action_with_a_foreign_id_in_the_selection_does_nothing(client, clubs):
    client.force_login(clubs.users["admin_a"])
    own = SyncConflict.objects.filter(config=clubs.a, resolution=Resolution.PENDING).first()
    foreign = SyncConflict.objects.filter(config=clubs.b, resolution=Resolution.PENDING).first()
    response = client.post(
        reverse("admin:twizzit_syncconflict_changelist"),
        {
            "action": "resolve_ignored",
            ACTION_CHECKBOX_NAME: [own.pk, foreign.pk],
            "index": 0,
        },
        follow=True,
    )
    assert "Some of the selected items are not yours: nothing was done." in response.text
    own.refresh_from_db()
    foreign.refresh_from_db()
    assert own.resolution == Resolution.PENDING and foreign.resolution == Resolution.PENDING


@pytest.mark.django_db
def test_the_index_and_its_attention_panel_name_only_the_users_club(client, clubs):
    client.force_login(clubs.users["admin_a"])
    page = client.get(reverse("admin:index")).text
    assert "KBKB Sandbox Club" in page and "KC Beta" not in page
    assert "Federation view" not in page
    client.force_login(clubs.users["federation"])
    page = client.get(reverse("admin:index")).text
    assert "KBKB Sandbox Club" in page and "KC Beta" in page and "Federation view" in page


@pytest.mark.django_db
def test_mails_go_to_the_clubs_own_admins_else_the_federation_admins(clubs):
    assert recipients_for(clubs.a) == ["admin_a@clubs.example"]
    assert recipients_for(clubs.b) == ["federation@clubs.example"]
    # B names its own admin: A's admin still never hears of B.
    ConnectionAccess.objects.filter(user=clubs.users["coach_both"], config=clubs.b).update(
        role="admin"
    )
    assert recipients_for(clubs.b) == ["coach_both@clubs.example"]
    clubs.b.notify_emails = "beta-board@clubs.example"
    assert recipients_for(clubs.b) == ["beta-board@clubs.example"]
