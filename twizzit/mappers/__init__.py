"""Mappers: one raw Twizzit record in, ShotSpot field values out.

One module per entity (contacts → Player, groups → Team, seasons → Season, rosters →
TeamMembership links and roles, events → Game). Each is a pure function of plain data: no Django, no
HTTP, no database, so what a record becomes can be read and tested without either
system. The field-by-field rules are in docs/mapping.md.
"""

from twizzit.mappers.base import Mapped, MappingError, record_hash
from twizzit.mappers.contacts import map_contact
from twizzit.mappers.events import event_refs, game_type_overrides, map_game
from twizzit.mappers.groups import category_name, category_names_by_id, map_group
from twizzit.mappers.rosters import ROLES, map_group_contact, role_for, role_map
from twizzit.mappers.seasons import map_season

__all__ = [
    "ROLES",
    "Mapped",
    "MappingError",
    "category_name",
    "category_names_by_id",
    "event_refs",
    "game_type_overrides",
    "map_contact",
    "map_game",
    "map_group",
    "map_group_contact",
    "map_season",
    "record_hash",
    "role_for",
    "role_map",
]
