"""Two clubs, each with its own connection and synced data, and the six kinds of user.

Club A is the default sandbox (KBKB Sandbox Club, 300 members, 24 teams); club B a second
sandbox of its own (another seed, 40 members, 4 teams) saved as organisation 2002 "KC
Beta". Both are synced for real over HTTP. Beside them: a conflict in each club, a player
made by hand on no team (federation admins only), and one made by hand on one of A's
teams (A sees it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission

from shotspot.models import Player, Team, TeamMembership
from tests.admin_data import make_conflict
from tests.sandbox import connect
from twizzit.models import ConnectionAccess, ConnectionRole, PlayerMapping, TwizzitConfig
from twizzit.sync import run_sync

USERS = ("federation", "admin_a", "coach_a", "coach_both", "staff_only", "no_role")
PASSWORD = "club-scope-test-9"


@dataclass
class Clubs:
    a: TwizzitConfig
    b: TwizzitConfig
    server_a: object
    server_b: object
    users: dict = field(default_factory=dict)
    loose_player: Player | None = None  # by hand, on no team
    a_player_by_hand: Player | None = None  # by hand, on one of A's teams


def staff_group() -> Group:
    """Every model permission of ShotSpot and the integration: what a club's staff gets."""
    group, _ = Group.objects.get_or_create(name="club staff")
    group.permissions.set(
        Permission.objects.filter(content_type__app_label__in=["twizzit", "shotspot"])
    )
    return group


def make_users(django_user_model, clubs: Clubs) -> dict:
    staff = staff_group()

    def user(name, *, superuser=False, is_staff=True, roles=()):
        person = django_user_model.objects.create_user(
            name, f"{name}@clubs.example", PASSWORD, is_staff=is_staff, is_superuser=superuser
        )
        if is_staff and not superuser:
            person.groups.add(staff)
        for config, role in roles:
            ConnectionAccess.objects.create(user=person, config=config, role=role)
        return person

    return {
        "federation": user("federation", superuser=True),
        "admin_a": user("admin_a", roles=[(clubs.a, ConnectionRole.ADMIN)]),
        "coach_a": user("coach_a", roles=[(clubs.a, ConnectionRole.COACH)]),
        "coach_both": user(
            "coach_both", roles=[(clubs.a, ConnectionRole.COACH), (clubs.b, ConnectionRole.COACH)]
        ),
        "staff_only": user("staff_only"),
        "no_role": user("no_role", is_staff=False),
    }


def two_clubs(sandbox, make_sandbox, django_user_model) -> Clubs:
    server_b = make_sandbox(seed=2, contacts=40, groups=4)
    server_b.state.organization_id = 2002  # the second club's own organisation
    for group in server_b.state.groups:  # its own teams, not namesakes of A's
        server_b.state.update_group(group["id"], name=f"Beta {group['name']}")
    a = connect(sandbox)
    b = connect(server_b, organization_id=2002, organization_name="KC Beta")
    for config, server in ((a, sandbox), (b, server_b)):
        run_sync(config)
        make_conflict(config, server)
        run_sync(config)
    clubs = Clubs(a=a, b=b, server_a=sandbox, server_b=server_b)
    clubs.loose_player = Player.objects.create(first_name="Lone", last_name="Handmade")
    clubs.a_player_by_hand = Player.objects.create(first_name="Anna", last_name="Byhand")
    team_a = Team.objects.filter(twizzit_mappings__config=a).first()
    TeamMembership.objects.create(team=team_a, player=clubs.a_player_by_hand)
    clubs.users = make_users(django_user_model, clubs)
    return clubs


def players_only_of(config, other) -> list[Player]:
    """Players mapped from `config` and not from `other` (nor on its teams)."""
    theirs = PlayerMapping.objects.filter(config=other).values("player")
    return list(
        Player.objects.filter(twizzit_mappings__config=config)
        .exclude(pk__in=theirs)
        .exclude(memberships__team__twizzit_mappings__config=other)
        .distinct()
    )
