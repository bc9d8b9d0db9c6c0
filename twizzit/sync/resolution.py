"""Deciding conflicts: the one code path the admin, the REST API and the tasks all use.

Every resolution also moves the mapping's merge base, so the same disagreement does not
come back on the next sync:

- data_mismatch: twizzit_wins applies Twizzit's values; shotspot_wins and ignored keep
  ShotSpot's; manual applies the given values, validated like a model form.
- duplicate: twizzit_wins creates a new ShotSpot row; manual links the row named by
  `values["local_id"]`; shotspot_wins and ignored leave the contact out of ShotSpot.
- deleted_in_twizzit: twizzit_wins archives the ShotSpot row (a game: cancels it);
  shotspot_wins and ignored keep it and unlink it from Twizzit.
- deleted_in_shotspot: twizzit_wins recreates the row; shotspot_wins and ignored keep it
  deleted.

In every case the base takes Twizzit's current values (they were seen and decided on),
and the mapping's hash is cleared so the next sync settles the record quietly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.forms import modelform_factory
from django.forms.models import model_to_dict
from django.utils import timezone

from shotspot.forms import https_formfield
from shotspot.models import SyncSource
from twizzit.models import ConflictType, Resolution, SyncConflict
from twizzit.sync.entities import PlayerImporter, SeasonImporter, TeamImporter
from twizzit.sync.games import GameImporter
from twizzit.sync.values import assign, snapshot


class ResolutionError(ValidationError):
    """A resolution that cannot be applied; nothing was changed."""


# Per entity type: the model, mapping and merged fields, as the importers define them.
SPECS = {
    "player": PlayerImporter,
    "team": TeamImporter,
    "season": SeasonImporter,
    "game": GameImporter,
}


# What each resolution means for each kind of conflict, in the words a club admin reads.
CHOICES = {
    ConflictType.DATA_MISMATCH: {
        Resolution.TWIZZIT_WINS: "Use Twizzit's values",
        Resolution.SHOTSPOT_WINS: "Keep ShotSpot's values",
        Resolution.MANUAL: "Use the values I enter",
        Resolution.IGNORED: "Ignore (keep ShotSpot's values)",
    },
    ConflictType.DUPLICATE: {
        Resolution.MANUAL: "Link it to the player I choose",
        Resolution.TWIZZIT_WINS: "Create a new ShotSpot row",
        Resolution.IGNORED: "Do not import this Twizzit record",
    },
    ConflictType.DELETED_IN_TWIZZIT: {
        Resolution.TWIZZIT_WINS: "Archive it in ShotSpot",
        Resolution.SHOTSPOT_WINS: "Keep it in ShotSpot (no longer synced)",
        Resolution.IGNORED: "Ignore (keep it, no longer synced)",
    },
    ConflictType.DELETED_IN_SHOTSPOT: {
        Resolution.TWIZZIT_WINS: "Recreate it in ShotSpot",
        Resolution.SHOTSPOT_WINS: "Keep it deleted",
        Resolution.IGNORED: "Ignore (keep it deleted)",
    },
}


def resolve_conflict(conflict: SyncConflict, resolution: str, values=None, user=None):
    """Apply `resolution` to a pending conflict and close it; returns the conflict."""
    # "Erased" is what an erasure does (twizzit.services.privacy), never a person's choice.
    if resolution not in Resolution.values or resolution in (Resolution.PENDING, Resolution.ERASED):
        raise ResolutionError(f"{resolution!r} is not a resolution.", code="invalid")
    with transaction.atomic():
        # Lock in the sync's order (mapping, local row, conflict) so a resolution and a
        # running sync never wait on each other in a circle (a deadlock on PostgreSQL).
        spec = SPECS.get(conflict.entity_type)
        if spec is None:
            raise ResolutionError(f"{conflict.entity_type} conflicts cannot be resolved here.")
        mapping = _mapping(conflict, spec)
        local_id = getattr(mapping, f"{spec.local_attr}_id", None) if mapping else None
        if local_id is not None:
            list(spec.model.objects.select_for_update().filter(pk=local_id).values("pk"))
        conflict = SyncConflict.objects.select_for_update().get(pk=conflict.pk)
        if not conflict.is_pending:
            raise ResolutionError(
                f"Conflict #{conflict.pk} was already resolved ({conflict.resolution}).",
                code="resolved",
            )
        allowed = CHOICES[conflict.conflict_type]
        if resolution not in allowed:
            raise ResolutionError(
                f"A {conflict.get_conflict_type_display().lower()} conflict cannot be resolved "
                f"as {resolution}; choose one of: {', '.join(allowed)}.",
                code="invalid",
            )
        handler = HANDLERS[conflict.conflict_type]
        applied = handler(conflict, spec, mapping, resolution, dict(values or {}))
        conflict.resolution = resolution
        conflict.resolved_values = applied
        conflict.resolved_by = user if user is not None and user.is_authenticated else None
        conflict.resolved_at = timezone.now()
        conflict.save(update_fields=["resolution", "resolved_values", "resolved_by", "resolved_at"])
    return conflict


@dataclass
class BulkResult:
    resolved: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # [{"id", "message"}]

    def as_dict(self) -> dict:
        return {"resolved": self.resolved, "failed": self.failed}


def resolve_conflicts(ids, resolution: str, user=None) -> BulkResult:
    """Resolve many conflicts, each on its own; one that fails does not stop the others."""
    result = BulkResult()
    ids = list(dict.fromkeys(ids))
    found = SyncConflict.objects.filter(pk__in=ids).order_by("pk")
    for missing in sorted(set(ids) - {conflict.pk for conflict in found}):
        result.failed.append({"id": missing, "message": f"There is no conflict #{missing}."})
    for conflict in found:
        try:
            resolve_conflict(conflict, resolution, user=user)
        except ValidationError as exc:
            result.failed.append({"id": conflict.pk, "message": " ".join(exc.messages)})
        except DatabaseError as exc:  # e.g. a lock timeout: this one fails, the rest go on
            result.failed.append({"id": conflict.pk, "message": f"Not saved: {exc}"})
        else:
            result.resolved.append(conflict.pk)
    return result


def _mapping(conflict, spec):
    return (
        spec.mapping_model.objects.select_for_update()
        .filter(config=conflict.config_id, **{spec.remote_attr: conflict.twizzit_id})
        .first()
    )


def _acknowledge(mapping, twizzit_values: dict) -> None:
    mapping.base_data = {**mapping.base_data, **twizzit_values}
    mapping.remote_hash = ""
    mapping.last_synced_at = timezone.now()


def _validated(local, spec, values: dict, allowed) -> dict:
    """`values` checked like a model form of the conflicting fields; JSON-safe result."""
    unknown = set(values) - set(allowed)
    if unknown:
        raise ResolutionError(
            f"These fields are not in conflict: {', '.join(sorted(unknown))}.", code="fields"
        )
    if not values:
        raise ResolutionError("A manual resolution needs a value for at least one field.")
    form_fields = [name.removesuffix("_id") for name in values]
    form_class = modelform_factory(
        spec.model, fields=form_fields, formfield_callback=https_formfield
    )
    data = model_to_dict(local, fields=form_fields)
    data.update({name.removesuffix("_id"): value for name, value in values.items()})
    form = form_class(data, instance=spec.model.objects.get(pk=local.pk))
    if not form.is_valid():
        raise ResolutionError(dict(form.errors.items()), code="invalid_values")
    cleaned = form.save(commit=False)
    return snapshot(cleaned, list(values))


def _mismatch(conflict, spec, mapping, resolution, values):
    local = getattr(mapping, spec.local_attr) if mapping else None
    if local is None:
        raise ResolutionError("The ShotSpot row of this conflict no longer exists.")
    twizzit = {name: conflict.twizzit_data.get(name) for name in conflict.fields}
    applied = {}
    if resolution == Resolution.TWIZZIT_WINS:
        applied = twizzit
    elif resolution == Resolution.MANUAL:
        applied = _validated(local, spec, values, conflict.fields)
    if applied:
        assign(local, applied)
        local.save(update_fields=[*applied, "updated_at"])
    _acknowledge(mapping, twizzit)
    mapping.save()
    return applied


def _duplicate(conflict, spec, mapping, resolution, values):
    if mapping is not None:
        raise ResolutionError("This Twizzit record is already linked.")
    mapping = spec.mapping_model(
        config_id=conflict.config_id, **{spec.remote_attr: conflict.twizzit_id}
    )
    applied = {}
    if resolution == Resolution.TWIZZIT_WINS:
        local = spec.model(sync_source=SyncSource.TWIZZIT)
        assign(local, conflict.twizzit_data)
        local.save()
        setattr(mapping, spec.local_attr, local)
        mapping.base_data = dict(conflict.twizzit_data)
        applied = {"created": local.pk}
    elif resolution == Resolution.MANUAL:
        local = _link_target(conflict, spec, values.get("local_id"))
        setattr(mapping, spec.local_attr, local)
        # Like an automatic first link: the next sync merges with no base, so values only
        # ShotSpot filled in are kept and differing filled-in values are asked about.
        mapping.base_data = {}
        local.sync_source = SyncSource.TWIZZIT
        local.save(update_fields=["sync_source", "updated_at"])
        applied = {"local_id": local.pk}
    else:
        mapping.ignore_remote = True
    mapping.save()
    return applied


def _link_target(conflict, spec, local_id):
    if local_id in (None, ""):
        raise ResolutionError("Choose the ShotSpot row to link: values.local_id.", code="local_id")
    local = spec.model.objects.filter(pk=local_id).first()
    if local is None:
        raise ResolutionError(f"There is no {conflict.entity_type} #{local_id}.", code="local_id")
    taken = spec.mapping_model.objects.filter(
        config_id=conflict.config_id, **{spec.local_attr: local}
    ).exclude(**{spec.remote_attr: conflict.twizzit_id})
    if taken.exists():
        raise ResolutionError(
            f"{local} is already linked to another Twizzit record.", code="local_id"
        )
    return local


def _deleted_in_twizzit(conflict, spec, mapping, resolution, values):
    local = getattr(mapping, spec.local_attr) if mapping else None
    if local is None:
        return {}
    if resolution == Resolution.TWIZZIT_WINS:  # archived (games: cancelled)
        local.save(update_fields=[*spec.retire(local), "updated_at"])
        return {spec.retired_label: local.pk}
    # Kept: the row no longer follows Twizzit.
    local.sync_source = SyncSource.MANUAL
    local.save(update_fields=["sync_source", "updated_at"])
    mapping.delete()
    return {"unlinked": local.pk}


def _deleted_in_shotspot(conflict, spec, mapping, resolution, values):
    if mapping is None:
        raise ResolutionError("This Twizzit record is no longer mapped.")
    if resolution == Resolution.TWIZZIT_WINS:
        local = spec.model(sync_source=SyncSource.TWIZZIT)
        assign(local, conflict.twizzit_data)
        local.save()
        setattr(mapping, spec.local_attr, local)
        mapping.base_data = dict(conflict.twizzit_data)
        mapping.remote_hash = ""
        mapping.save()
        return {"created": local.pk}
    mapping.ignore_remote = True
    mapping.save(update_fields=["ignore_remote", "updated_at"])
    return {}


HANDLERS = {
    ConflictType.DATA_MISMATCH: _mismatch,
    ConflictType.DUPLICATE: _duplicate,
    ConflictType.DELETED_IN_TWIZZIT: _deleted_in_twizzit,
    ConflictType.DELETED_IN_SHOTSPOT: _deleted_in_shotspot,
}


@transaction.atomic
def relink_mapping(mapping, local):
    """Point a mapping at another ShotSpot row (fixing a wrong link); validated."""
    spec = next(s for s in SPECS.values() if isinstance(mapping, s.mapping_model))
    if not isinstance(local, spec.model):
        raise ResolutionError(f"A {spec.local_attr} mapping can only point at a {spec.local_attr}.")
    taken = spec.mapping_model.objects.filter(config=mapping.config, **{spec.local_attr: local})
    if taken.exclude(pk=mapping.pk).exists():
        raise ResolutionError(f"{local} is already linked to another Twizzit record.", code="taken")
    setattr(mapping, spec.local_attr, local)
    mapping.base_data = {}  # merged like a first link at the next sync: nothing overwritten
    mapping.remote_hash = ""
    mapping.ignore_remote = False
    mapping.save()
    if local.sync_source != SyncSource.TWIZZIT:
        local.sync_source = SyncSource.TWIZZIT
        local.save(update_fields=["sync_source", "updated_at"])
    SyncConflict.objects.filter(
        config=mapping.config,
        entity_type=spec.local_attr,
        twizzit_id=getattr(mapping, spec.remote_attr),
        resolution=Resolution.PENDING,
        conflict_type__in=[ConflictType.DUPLICATE, ConflictType.DELETED_IN_SHOTSPOT],
    ).update(
        resolution=Resolution.MANUAL,
        resolved_values={"local_id": local.pk},
        resolved_at=timezone.now(),
    )
    return mapping
