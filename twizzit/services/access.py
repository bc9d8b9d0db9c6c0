"""Each club sees its own: the one rule for who sees which rows and may act on them.

A user reaches connections in one of three ways:

- **federation admin** (a superuser, or a member of the group `twizzit-admin`): every
  connection, every row, every action, also rows made by hand that belong to no club;
- the global group **`coach`**: coach of every club (it meant that before roles per club
  existed, and keeps meaning it so nothing breaks);
- a **role per connection** (`ConnectionAccess`: club admin or coach of that connection).

What a connection's people see (`visible`): the connection and its own records (sync logs,
conflicts, mappings, notifications, API usage, erased contacts); ShotSpot's rows mapped
from it; the teams of the clubs it maps, those teams' rosters and games; and the players
on those rosters (a player in two clubs is seen by both). A row made by hand and on no
team of theirs is seen by federation admins only.

Everything that shows or changes a club's rows calls this module: the admin's querysets,
the REST API's querysets and permissions, the attention panel, the cockpit, the
federation view and the mail recipients. Another club's row is simply not in the
queryset, so the edges answer 404 and lists never hold it.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from shotspot.models import Club, Game, Player, Season, Team, TeamMembership
from twizzit.models import (
    ApiUsage,
    ClubMapping,
    ConnectionAccess,
    ConnectionRole,
    ErasedContact,
    EventMapping,
    Notification,
    PlayerMapping,
    SeasonMapping,
    SyncConflict,
    SyncLog,
    TeamMapping,
    TwizzitConfig,
)
from twizzit.models.access import ADMIN_GROUP, COACH_GROUP, club_admins, federation_admins
from twizzit.models.mappings import Mapping

ADMIN = ConnectionRole.ADMIN
COACH = ConnectionRole.COACH

__all__ = [
    "ADMIN_GROUP",
    "COACH_GROUP",
    "can",
    "club_admins",
    "connections_for",
    "federation_admins",
    "is_federation_admin",
    "roles_of",
    "visible",
]


def _groups(user) -> frozenset[str]:
    cached = getattr(user, "_twizzit_groups", None)
    if cached is None:
        cached = frozenset(
            user.groups.filter(name__in=[ADMIN_GROUP, COACH_GROUP]).values_list("name", flat=True)
        )
        user._twizzit_groups = cached
    return cached


def is_federation_admin(user) -> bool:
    """Superusers and the `twizzit-admin` group: all clubs, every action."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or ADMIN_GROUP in _groups(user)


def is_global_coach(user) -> bool:
    return bool(user and user.is_authenticated and COACH_GROUP in _groups(user))


def _roles(user) -> dict[int, str]:
    """{connection id: role} of the user's own rows, looked up once per request."""
    cached = getattr(user, "_twizzit_connection_roles", None)
    if cached is None:
        cached = dict(ConnectionAccess.objects.filter(user=user).values_list("config_id", "role"))
        user._twizzit_connection_roles = cached
    return cached


def roles_of(user) -> frozenset[str]:
    """The roles a user holds anywhere ("admin", "coach"): whether they may enter at all."""
    if not user or not user.is_authenticated or not user.is_active:
        return frozenset()
    roles = set(_roles(user).values())
    if is_federation_admin(user):
        roles.add(ADMIN)
    if is_global_coach(user):
        roles.add(COACH)
    return frozenset(str(role) for role in roles)


def sees_everything(user, role: str | None = None) -> bool:
    """True when the user reaches every connection in that role (any role when None)."""
    if is_federation_admin(user):
        return True
    return role in (None, COACH) and is_global_coach(user)


def connection_ids(user, role: str | None = None) -> list[int] | None:
    """The ids of the connections a user reaches (in that role); None means all of them."""
    if not user or not user.is_authenticated or not user.is_active:
        return []
    if sees_everything(user, role):
        return None
    return sorted(pk for pk, held in _roles(user).items() if role in (None, COACH, held))


def connections_for(user, role: str | None = None) -> QuerySet:
    """The connections a user reaches; `role="admin"` asks for those they administer."""
    ids = connection_ids(user, role)
    configs = TwizzitConfig.objects.all()
    return configs if ids is None else configs.filter(pk__in=ids)


def can(user, action: str, config) -> bool:
    """May the user take this action on this connection? "view", "sync", "cancel", "test"
    are a coach's; anything else ("resolve", "relink", "change", "erase", …) an admin's."""
    role = COACH if action in COACH_ACTIONS else ADMIN
    ids = connection_ids(user, role)
    return ids is None or config.pk in ids


COACH_ACTIONS = frozenset({"view", "sync", "cancel", "test"})

# Models whose rows belong to exactly one connection through their `config`.
_OWNED_BY_CONNECTION = (
    SyncLog,
    SyncConflict,
    ApiUsage,
    Notification,
    ErasedContact,
    ConnectionAccess,
)


def _teams_of(ids) -> Q:
    """Teams mapped from these connections, or of a club one of them maps."""
    return Q(Exists(TeamMapping.objects.filter(config_id__in=ids, team=OuterRef("pk")))) | Q(
        club__in=ClubMapping.objects.filter(config_id__in=ids, club__isnull=False).values("club")
    )


def team_ids(ids) -> QuerySet:
    return Team.objects.filter(_teams_of(ids)).values("pk")


def visible(queryset: QuerySet, user, role: str | None = None) -> QuerySet:
    """The rows of `queryset` the user may see (or act on in `role`): one filter per kind."""
    ids = connection_ids(user, role)
    if ids is None:
        return queryset
    model = queryset.model
    if model is TwizzitConfig:
        return queryset.filter(pk__in=ids)
    if model in _OWNED_BY_CONNECTION or issubclass(model, Mapping):
        return queryset.filter(config_id__in=ids)
    if model is Team:
        return queryset.filter(_teams_of(ids))
    if model is Player:
        return queryset.filter(
            Exists(PlayerMapping.objects.filter(config_id__in=ids, player=OuterRef("pk")))
            | Exists(TeamMembership.objects.filter(team__in=team_ids(ids), player=OuterRef("pk")))
        )
    if model is TeamMembership:
        return queryset.filter(team__in=team_ids(ids))
    if model is Game:
        return queryset.filter(
            Q(team__in=team_ids(ids))
            | Exists(EventMapping.objects.filter(config_id__in=ids, game=OuterRef("pk")))
        )
    if model is Season:
        return queryset.filter(
            Exists(SeasonMapping.objects.filter(config_id__in=ids, season=OuterRef("pk")))
            | Exists(Team.objects.filter(_teams_of(ids), season=OuterRef("pk")))
        )
    if model is Club:
        return queryset.filter(
            Exists(ClubMapping.objects.filter(config_id__in=ids, club=OuterRef("pk")))
        )
    # A kind this rule does not know is seen by federation admins only: never leak by default.
    return queryset.none()


def is_visible(obj, user, role: str | None = None) -> bool:
    """One row: may the user see it (or act on it in `role`)?"""
    return visible(type(obj)._default_manager.filter(pk=obj.pk), user, role).exists()


# --- granting and revoking: the admin's inlines, the API and `twizzit_access` -----------------
def grant(user, config, role: str) -> ConnectionAccess:
    """Give `user` the role on `config` (replacing the role they held there)."""
    if role not in ConnectionRole.values:
        raise ValueError(f"Unknown role {role!r}: use one of {', '.join(ConnectionRole.values)}.")
    access, _ = ConnectionAccess.objects.update_or_create(
        user=user, config=config, defaults={"role": role}
    )
    return access


def revoke(user, config) -> bool:
    """Take away the user's role on `config`; False when they held none."""
    deleted, _ = ConnectionAccess.objects.filter(user=user, config=config).delete()
    return bool(deleted)


_CANDIDATE_MODELS = {"player": Player, "team": Team, "season": Season, "game": Game}


def visible_candidates(conflict, user) -> list[dict]:
    """A duplicate's candidates the user may see: the sync matched against all of ShotSpot,
    so a candidate may be another club's player, whom this club must not be shown."""
    model = _CANDIDATE_MODELS.get(conflict.entity_type)
    candidates = conflict.candidates or []
    if model is None or connection_ids(user) is None:
        return candidates
    ids = [candidate["id"] for candidate in candidates]
    seen = set(visible(model.objects.filter(pk__in=ids), user).values_list("pk", flat=True))
    return [candidate for candidate in candidates if candidate["id"] in seen]
