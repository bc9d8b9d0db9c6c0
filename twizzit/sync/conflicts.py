"""Recording conflicts: one pending conflict per record, updated rather than repeated.

A sync that meets the same disagreement again refreshes the pending conflict (the newest
values, the newest run) instead of adding a second one; the database's partial unique
constraint guarantees there is never more than one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from twizzit.models import Resolution, SyncConflict

CONTENT_FIELDS = [
    "conflict_type",
    "fields",
    "shotspot_data",
    "twizzit_data",
    "base_data",
    "candidates",
]


@dataclass
class ConflictDraft:
    """A conflict a run wants on record."""

    twizzit_id: int
    conflict_type: str
    local: object = None
    fields: list = field(default_factory=list)
    shotspot_data: dict = field(default_factory=dict)
    twizzit_data: dict = field(default_factory=dict)
    base_data: dict = field(default_factory=dict)
    candidates: list = field(default_factory=list)


def _values(draft: ConflictDraft, local_attr: str) -> dict:
    values = {
        "conflict_type": draft.conflict_type,
        "fields": draft.fields,
        "shotspot_data": draft.shotspot_data,
        "twizzit_data": draft.twizzit_data,
        "base_data": draft.base_data,
        "candidates": draft.candidates,
    }
    if local_attr:
        values[local_attr] = draft.local
    return values


def record_conflicts(config, sync_log, entity_type: str, drafts: list[ConflictDraft]) -> None:
    """Create or refresh the pending conflicts of `drafts` in two or three queries."""
    if not drafts:
        return
    local_attr = {"player": "player", "team": "team"}.get(entity_type, "")
    pending = {
        conflict.twizzit_id: conflict
        for conflict in SyncConflict.objects.filter(
            config=config,
            entity_type=entity_type,
            resolution=Resolution.PENDING,
            twizzit_id__in=[draft.twizzit_id for draft in drafts],
        )
    }
    to_create, to_update = [], []
    for draft in drafts:
        values = _values(draft, local_attr)
        existing = pending.get(draft.twizzit_id)
        if existing is None:
            to_create.append(
                SyncConflict(
                    config=config,
                    sync_log=sync_log,
                    entity_type=entity_type,
                    twizzit_id=draft.twizzit_id,
                    **values,
                )
            )
            continue
        current = {
            name: getattr(existing, f"{name}_id" if name == local_attr else name) for name in values
        }
        wanted = {
            name: (value.pk if value is not None else None) if name == local_attr else value
            for name, value in values.items()
        }
        if current != wanted:
            for name, value in values.items():
                setattr(existing, name, value)
            existing.sync_log = sync_log
            existing.updated_at = timezone.now()
            to_update.append(existing)
    if to_create:
        SyncConflict.objects.bulk_create(to_create)
    if to_update:
        names = CONTENT_FIELDS + ([local_attr] if local_attr else [])
        SyncConflict.objects.bulk_update(to_update, [*names, "sync_log", "updated_at"])


def close_settled(config, entity_type: str, twizzit_ids: list[int]) -> None:
    """Close pending conflicts of records a sync just settled with nothing in dispute.

    The disagreement went away (both sides agree again, a deleted record came back, a
    duplicate became a unique match): deciding it later would apply out-of-date values.
    """
    if twizzit_ids:
        SyncConflict.objects.filter(
            config=config,
            entity_type=entity_type,
            resolution=Resolution.PENDING,
            twizzit_id__in=twizzit_ids,
        ).update(resolution=Resolution.SUPERSEDED, resolved_at=timezone.now())


class PendingConflicts:
    """One importer's view of its pending conflicts, so a page with none costs no query.

    Only a sync creates conflicts, and a connection runs one sync at a time: when the
    run starts with no pending conflict of this entity type and records none, there is
    nothing for `close_settled` to close, page after page.
    """

    def __init__(self, config, sync_log, entity_type: str):
        self.config, self.sync_log, self.entity_type = config, sync_log, entity_type
        self._any: bool | None = None  # unknown until first needed

    def record(self, drafts: list[ConflictDraft]) -> None:
        record_conflicts(self.config, self.sync_log, self.entity_type, drafts)
        if drafts:
            self._any = True

    def close_settled(self, twizzit_ids: list[int]) -> None:
        if not twizzit_ids:
            return
        if self._any is None:
            self._any = SyncConflict.objects.filter(
                config=self.config, entity_type=self.entity_type, resolution=Resolution.PENDING
            ).exists()
        if self._any:
            close_settled(self.config, self.entity_type, twizzit_ids)
