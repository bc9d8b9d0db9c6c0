"""Writing one page of decisions in bulk: new rows, changed rows, mappings, conflicts.

Called inside the page's transaction, with the local rows locked (`importer.py`). A
handful of statements per page whatever its size: one bulk insert of new rows, one bulk
update of changed ones (only the fields that changed), the same for the mappings, then
the page's conflicts recorded and the settled ones closed.

Each mapping written also keeps the record's refused values (`Mapping.refused`): a field
refused before keeps its "since", one accepted now is dropped.
"""

from __future__ import annotations

from django.utils import timezone

from shotspot.models import SyncSource
from twizzit.mappers.base import Mapped
from twizzit.sync import bulk
from twizzit.sync.values import assign
from twizzit.sync.verdicts import CREATE, KEEP_DELETED, LINK, RECREATE, SETTLING, UPDATE, Verdict


class PageWriter:
    """The importer's writes; mixed into `RecordImporter`, whose attributes it uses."""

    def new_local(self, values: dict):
        instance = self.model(sync_source=SyncSource.TWIZZIT)
        assign(instance, values)
        return instance

    def new_mapping(self, mapped: Mapped, local, *, base: dict, remote_hash: str):
        return self.mapping_model(
            config=self.config,
            **{self.remote_attr: mapped.twizzit_id, self.local_attr: local},
            **self.mapping_extras(mapped),
            base_data=base,
            remote_hash=remote_hash,
            refused=refusals({}, mapped, timezone.now()),
        )

    def write(self, decisions: list[Verdict]) -> None:
        now = timezone.now()
        new_locals, new_mappings = [], []  # parallel: (decision, instance)
        changed_locals, changed_fields = [], set()
        changed_mappings, conflicts = [], []
        for decision in decisions:
            mapped, mapping, result = decision.mapped, decision.mapping, decision.result
            settled_hash = mapped.hash if decision.conflict is None else ""
            if decision.action in (CREATE, RECREATE):
                new_locals.append((decision, self.new_local(decision.remote)))
            elif decision.action == KEEP_DELETED:
                mapping.ignore_remote = True
                changed_mappings.append(mapping)
            elif decision.action == LINK:
                local = decision.local
                assign(local, result.apply)
                local.sync_source = SyncSource.TWIZZIT
                changed_locals.append(local)
                changed_fields.update(result.apply, {"sync_source"})
                new_mappings.append(
                    self.new_mapping(mapped, local, base=result.base, remote_hash=settled_hash)
                )
            elif decision.action == UPDATE:
                if result.apply:
                    assign(decision.local, result.apply)
                    changed_locals.append(decision.local)
                    changed_fields.update(result.apply)
                mapping.base_data = result.base
                # While a conflict is pending the record is merged again at every sync,
                # so the conflict follows both sides (and closes when they agree again).
                mapping.remote_hash = settled_hash
                mapping.refused = refusals(mapping.refused, mapped, now)
                for name, value in self.mapping_extras(mapped).items():
                    setattr(mapping, name, value)
                changed_mappings.append(mapping)
            if decision.conflict is not None:
                conflicts.append(decision.conflict)

        if new_locals:
            bulk.insert(self.model, [instance for _, instance in new_locals])
            self.ctx.statistics.inserted(self.model, len(new_locals))
            for decision, instance in new_locals:
                if decision.action == RECREATE:
                    setattr(decision.mapping, self.local_attr, instance)
                    decision.mapping.base_data = decision.remote
                    decision.mapping.remote_hash = decision.mapped.hash
                    decision.mapping.refused = refusals({}, decision.mapped, now)
                    changed_mappings.append(decision.mapping)
                else:
                    new_mappings.append(
                        self.new_mapping(
                            decision.mapped,
                            instance,
                            base=decision.remote,
                            remote_hash=decision.mapped.hash,
                        )
                    )
        if changed_locals:
            for local in changed_locals:
                local.updated_at = now
            self.model.objects.bulk_update(changed_locals, [*sorted(changed_fields), "updated_at"])
        if new_mappings:
            bulk.insert(self.mapping_model, new_mappings)
            self.ctx.statistics.inserted(self.mapping_model, len(new_mappings))
        if changed_mappings:
            for mapping in changed_mappings:
                mapping.last_synced_at = now
                mapping.updated_at = now
            self.mapping_model.objects.bulk_update(
                changed_mappings,
                [
                    self.local_attr,
                    "base_data",
                    "remote_hash",
                    "ignore_remote",
                    "refused",
                    "last_synced_at",
                    "updated_at",
                    *self.mapping_extra_fields,
                ],
            )
        self.conflicts.record(conflicts)
        self.conflicts.close_settled(
            [d.mapped.twizzit_id for d in decisions if d.conflict is None and d.action in SETTLING]
        )


def refusals(before: dict, mapped: Mapped, now) -> dict:
    """The mapping's refused fields after this sync: {field: {"rule", "since"}}."""
    return {
        name: {
            "rule": rule,
            "since": (before.get(name) or {}).get("since") or now.isoformat(),
        }
        for name, rule in sorted(mapped.refused.items())
    }
