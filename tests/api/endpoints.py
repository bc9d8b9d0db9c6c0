"""Every endpoint of the API in one table, and one of everything they act on.

`ENDPOINTS` lists each operation with the status each kind of caller gets (anonymous,
plain user, coach, admin); `World` seeds the rows the paths and bodies name. The
permission matrix and the secrets test both walk this table, so a new endpoint added
here is checked for roles and for leaks at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from tests.api.data import (
    email_mismatch,
    player,
    sync_log,
    synced_player,
    synced_season,
    synced_team,
)
from tests.sandbox import connect
from twizzit.models import SyncStatus
from twizzit.services.access import grant

User = get_user_model()
ROLES = ("anonymous", "plain", "coach", "admin")


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # formatted with World.ids()
    statuses: tuple[int, int, int, int]  # in the order of ROLES
    body: str | None = None  # the name of a World method that makes the body

    def __str__(self):
        return f"{self.method} {self.path}"


EVERYONE_READS = (200, 200, 200, 200)
STAFF_READS = (401, 403, 200, 200)
ADMINS_ONLY = (401, 403, 403)

ENDPOINTS = [
    Endpoint("GET", "/api/twizzit/connections/", STAFF_READS),
    Endpoint("POST", "/api/twizzit/connections/", (*ADMINS_ONLY, 201), "new_connection"),
    Endpoint("GET", "/api/twizzit/connections/{config}/", STAFF_READS),
    Endpoint("PUT", "/api/twizzit/connections/{config}/", (*ADMINS_ONLY, 200), "full_settings"),
    Endpoint("PATCH", "/api/twizzit/connections/{config}/", (*ADMINS_ONLY, 200), "disable"),
    Endpoint("DELETE", "/api/twizzit/connections/{config}/", (*ADMINS_ONLY, 200)),
    Endpoint("POST", "/api/twizzit/connections/test/", (*ADMINS_ONLY, 200), "credentials"),
    Endpoint("POST", "/api/twizzit/connections/{config}/test/", STAFF_READS),
    Endpoint("POST", "/api/twizzit/connections/{config}/sync/", (401, 403, 202, 202), "sync"),
    Endpoint("GET", "/api/twizzit/connections/{config}/status/", STAFF_READS),
    Endpoint("GET", "/api/twizzit/sync-logs/", STAFF_READS),
    Endpoint("GET", "/api/twizzit/sync-logs/{finished_log}/", STAFF_READS),
    Endpoint("POST", "/api/twizzit/sync-logs/{pending_log}/cancel/", STAFF_READS),
    Endpoint("GET", "/api/twizzit/conflicts/", STAFF_READS),
    Endpoint("GET", "/api/twizzit/conflicts/{conflict}/", STAFF_READS),
    Endpoint("POST", "/api/twizzit/conflicts/{conflict}/resolve/", (*ADMINS_ONLY, 200), "resolve"),
    Endpoint("POST", "/api/twizzit/conflicts/resolve/", (*ADMINS_ONLY, 202), "resolve_many"),
    Endpoint("GET", "/api/twizzit/player-mappings/", STAFF_READS),
    Endpoint("GET", "/api/twizzit/player-mappings/{player_mapping}/", STAFF_READS),
    Endpoint(
        "PATCH",
        "/api/twizzit/player-mappings/{player_mapping}/",
        (*ADMINS_ONLY, 200),
        "relink_player",
    ),
    Endpoint("GET", "/api/twizzit/team-mappings/", STAFF_READS),
    Endpoint("GET", "/api/twizzit/team-mappings/{team_mapping}/", STAFF_READS),
    Endpoint(
        "PATCH", "/api/twizzit/team-mappings/{team_mapping}/", (*ADMINS_ONLY, 200), "relink_team"
    ),
    Endpoint("GET", "/api/twizzit/access/", (*ADMINS_ONLY, 200)),
    Endpoint("POST", "/api/twizzit/access/", (*ADMINS_ONLY, 201), "grant"),
    Endpoint("DELETE", "/api/twizzit/access/{access}/", (*ADMINS_ONLY, 204)),
    Endpoint("GET", "/api/players/", STAFF_READS),
    Endpoint("GET", "/api/players/{player}/", STAFF_READS),
    Endpoint("GET", "/api/players/{player}/personal-data/", (*ADMINS_ONLY, 200)),
    Endpoint("POST", "/api/players/{spare_player}/erase/", (*ADMINS_ONLY, 200), "erase"),
    Endpoint("GET", "/api/teams/", STAFF_READS),
    Endpoint("GET", "/api/teams/{team}/", STAFF_READS),
    Endpoint("GET", "/api/seasons/", STAFF_READS),
    Endpoint("GET", "/api/seasons/{season}/", STAFF_READS),
    Endpoint("GET", "/api/schema/", EVERYONE_READS),
    Endpoint("GET", "/api/docs/", EVERYONE_READS),
]


class World:
    """One of everything the endpoints act on; the connection points at the sandbox."""

    def __init__(self, sandbox, config):
        self.sandbox = sandbox
        self.config = config
        other = connect(sandbox, organization_id=2002, organization_name="KC Elders")
        self.pending_log = sync_log(other, status=SyncStatus.PENDING)
        self.finished_log = sync_log(config, errors=[])
        self.player, self.player_mapping = synced_player(config, 5001)
        self.team, self.team_mapping = synced_team(config, 6001)
        self.season = synced_season(config, 7001)
        self.conflict = email_mismatch(config, self.player_mapping)
        self.spare_player = player("Nina", "Claes")
        self.spare_team = synced_team(other, 6002, name="Kern 2")[0]
        self.spare_team.twizzit_mappings.all().delete()
        self.club_admin = User.objects.create_user("kim-club-admin")
        self.access = grant(self.club_admin, config, "admin")

    def ids(self) -> dict[str, int]:
        return {
            name: getattr(self, name).pk
            for name in (
                "config",
                "pending_log",
                "finished_log",
                "player",
                "player_mapping",
                "team",
                "team_mapping",
                "season",
                "conflict",
                "spare_player",
                "access",
            )
        }

    def new_connection(self):
        return {
            "organization_id": 3003,
            "organization_name": "KC Newcomers",
            "api_base_url": "https://app.twizzit.com",
            "api_username": "newcomer-api",
            "api_password": "new-secret",
        }

    def full_settings(self):
        return {
            "organization_id": self.config.organization_id,
            "organization_name": "KBKB Sandbox Club (renamed)",
            "api_base_url": self.sandbox.url,
            "api_username": self.sandbox.username,
            "auto_sync_frequency": "weekly",
        }

    def disable(self):
        return {"sync_enabled": False}

    def credentials(self):
        return {
            "organization_id": self.sandbox.organization_id,
            "api_base_url": self.sandbox.url,
            "api_username": self.sandbox.username,
            "api_password": self.sandbox.password,
        }

    def sync(self):
        return {"type": "players", "dry_run": True}

    def resolve(self):
        return {"resolution": "twizzit_wins"}

    def resolve_many(self):
        return {"ids": [self.conflict.pk], "resolution": "ignored"}

    def relink_player(self):
        return {"player": self.spare_player.pk}

    def erase(self):
        return {"confirm": True}

    def grant(self):
        return {"user": self.club_admin.username, "connection": self.config.pk, "role": "coach"}

    def relink_team(self):
        return {"team": self.spare_team.pk}
