"""Exporting a person on request (GDPR art. 15): everything ShotSpot holds about a player.

One JSON-safe document: every stored field of the player with where it came from, the
Twizzit records it is linked to (with the merge base kept for each), roster entries,
conflicts about them with their stored values, the sync-log entries and planned changes
that name them, the mails that named them, and whether a background task result does.
"Source" says, per piece, whether Twizzit supplied it (which organisation, which
contact, when last synced) or it was entered or changed in ShotSpot.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from shotspot.models import Player, SyncSource, TeamMembership
from twizzit.models import Notification, PlayerMapping, SyncConflict, SyncLog
from twizzit.services.privacy.erasure import (
    conflicts_about,
    names_entry,
    runs_naming,
    tasks_naming,
)
from twizzit.services.privacy.needles import names_any, needles

FORMAT = "shotspot-personal-data/1"
SHOTSPOT = "ShotSpot: entered or changed in ShotSpot"
SYSTEM = "ShotSpot: kept by the system"
# Fields the sync keeps in step with Twizzit (the merge compares exactly these).
SYNCED = (
    "first_name",
    "last_name",
    "date_of_birth",
    "gender",
    "jersey_number",
    "email",
    "phone",
    "registration_number",
    "has_profile_image",
)


def _value(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _twizzit_source(mapping: PlayerMapping) -> str:
    return (
        f"Twizzit: contact {mapping.twizzit_contact_id} of {mapping.config.organization_name} "
        f"({mapping.config.organization_id}), last synced "
        f"{_value(mapping.last_synced_at)}"
    )


def _field_source(name: str, value, mappings: list[PlayerMapping]) -> str:
    if name not in SYNCED:
        return SYSTEM
    for mapping in mappings:
        if name in mapping.base_data and mapping.base_data[name] == _value(value):
            return _twizzit_source(mapping)
    return SHOTSPOT


def export_player(player: Player) -> dict:
    """Everything stored about `player`, each piece with its source; JSON-safe."""
    mappings = list(PlayerMapping.objects.filter(player=player).select_related("config"))
    values = needles(player)
    contacts = [(m.config_id, m.config.organization_name, m.twizzit_contact_id) for m in mappings]
    contact_ids = {m.twizzit_contact_id for m in mappings}
    fields = {}
    for model_field in Player._meta.concrete_fields:
        value = getattr(player, model_field.attname)
        fields[model_field.name] = {
            "label": str(model_field.verbose_name),
            "value": _value(value),
            "source": _field_source(model_field.name, value, mappings),
        }
    return {
        "format": FORMAT,
        "exported_at": _value(timezone.now()),
        "about": f"ShotSpot player {player.pk}: {player}",
        "player": fields,
        "twizzit_links": [
            {
                "organisation": m.config.organization_name,
                "organisation_id": m.config.organization_id,
                "twizzit_contact_id": m.twizzit_contact_id,
                "last_synced_at": _value(m.last_synced_at),
                "kept_out_of_shotspot": m.ignore_remote,
                "merge_base": m.base_data,
                "source": _twizzit_source(m)
                + "; the merge base is the values both sides last agreed on",
            }
            for m in mappings
        ],
        "rosters": [
            {
                "team": str(membership.team),
                "role": membership.get_role_display(),
                "since": _value(membership.created_at),
                "source": "Twizzit: the team's roster"
                if membership.sync_source == SyncSource.TWIZZIT
                else SHOTSPOT,
            }
            for membership in TeamMembership.objects.filter(player=player).select_related(
                "team__season"
            )
        ],
        "conflicts": [_conflict(c) for c in conflicts_about(player, contacts)],
        "sync_log_entries": _log_entries(contact_ids, values),
        "emails": [
            {
                "subject": mail.subject,
                "created_at": _value(mail.created_at),
                "status": mail.get_status_display(),
                "text": mail.body_text,
                "source": "ShotSpot: a notification mailed to the club's admins",
            }
            for mail in Notification.objects.order_by("pk")
            if names_any(mail.body_text + mail.body_html, values)
        ],
        "background_task_results": len(tasks_naming(values)),
    }


def _conflict(conflict: SyncConflict) -> dict:
    return {
        "id": conflict.pk,
        "kind": conflict.get_conflict_type_display(),
        "status": conflict.get_resolution_display(),
        "created_at": _value(conflict.created_at),
        "fields": conflict.fields,
        "shotspot_values": conflict.shotspot_data,
        "twizzit_values": conflict.twizzit_data,
        "last_agreed_values": conflict.base_data,
        "candidates": conflict.candidates,
        "source": f"A sync of {conflict.config.organization_name} comparing ShotSpot with "
        f"{conflict.twizzit_record()}",
    }


def _log_entries(contact_ids: set[int], values: list[str]) -> list[dict]:
    found = []
    for log, _errors, _planned in runs_naming(contact_ids, values):
        run = SyncLog.objects.only("pk", "created_at", "dry_run").get(pk=log.pk)
        source = f"{'Preview' if run.dry_run else 'Sync'} #{run.pk} of {_value(run.created_at)}"
        for kind, entries in (("entry", log.errors), ("planned change", log.planned_changes)):
            for entry in entries or []:
                if names_entry(entry, contact_ids, values):
                    found.append({"kind": kind, **entry, "source": source})
    return found
