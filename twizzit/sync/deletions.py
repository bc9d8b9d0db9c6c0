"""Deletions in Twizzit: mapped records that a complete listing no longer holds.

Judged only after the engine saw a complete, unfiltered listing (`incomplete` stays
false), and only for records that a second look by id does not find either: a record
can slip between pages when the listing shifts while it is read. Under the connection's
policy a missing record is archived (Twizzit wins), kept (ShotSpot wins) or becomes a
`deleted_in_twizzit` conflict for a person (never a hard delete).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from twizzit.models import ConflictPolicy, ConflictType
from twizzit.sync.conflicts import ConflictDraft
from twizzit.sync.values import snapshot

CHUNK = 500
REFETCH_BATCH = 100  # Twizzit ids per second-look call: fits a safe URL length


class DeletionJudge:
    """The importer's deletion judgement; mixed into `RecordImporter`."""

    def scoped_mappings(self):
        return self.mapping_model.objects.filter(
            config=self.config, ignore_remote=False, **{f"{self.local_attr}__isnull": False}
        )

    def judge_deletions(self) -> None:
        """After a complete listing: mapped records Twizzit no longer lists."""
        if not self.archivable or self.incomplete:
            return
        missing = self.missing()
        if missing and self.refetch is not None:
            # A second look by id: a record that slipped between pages is found (and
            # synced) here instead of being taken for deleted. Costs calls only when
            # something seems gone.
            ids = sorted(missing.values())
            for start in range(0, len(ids), REFETCH_BATCH):
                for page in self.refetch(ids[start : start + REFETCH_BATCH]):
                    self.import_page(page)
            if self.incomplete:
                return
            missing = self.missing()
        missing = sorted(missing)
        for start in range(0, len(missing), CHUNK):
            chunk = missing[start : start + CHUNK]
            if self.ctx.dry_run:
                self.judge_chunk(chunk)
            else:
                with transaction.atomic():
                    self.judge_chunk(chunk)

    def missing(self) -> dict[int, int]:
        """{mapping pk: Twizzit id} of mapped records this run has not seen."""
        return {
            pk: twizzit_id
            for pk, twizzit_id in self.scoped_mappings()
            .values_list("pk", self.remote_attr)
            .iterator(chunk_size=2000)
            if twizzit_id not in self.seen
        }

    # What "Twizzit wins" does to a row gone from Twizzit: archived (games: cancelled).
    retired_label = "archived"

    @staticmethod
    def retire(local) -> list[str]:
        """Retire `local` in memory; returns the fields that changed."""
        local.archived_at = timezone.now()
        return ["archived_at"]

    @staticmethod
    def is_retired(local) -> bool:
        return local.archived_at is not None

    def judge_chunk(self, mapping_pks: list[int]) -> None:
        policy = self.config.conflict_policy
        mappings = self.mapping_model.objects.filter(pk__in=mapping_pks).select_related(
            self.local_attr
        )
        retired, retired_fields, drafts, unsettled = [], set(), [], []
        for mapping in mappings:
            local = self.local_of(mapping)
            if local is None or self.is_retired(local):
                continue
            twizzit_id = getattr(mapping, self.remote_attr)
            if self.ctx.dry_run:
                label = self.label(snapshot(local, self.fields))
                self.report.plan(self.entity, twizzit_id, "deleted_in_twizzit", label)
            if policy == ConflictPolicy.TWIZZIT_WINS:
                retired_fields.update(self.retire(local))
                retired.append(local)
                self.report.count(self.entity, "removed")
                self.report.count(self.entity, "policy_decided")
            elif policy == ConflictPolicy.SHOTSPOT_WINS:
                self.report.count(self.entity, "policy_decided")
            else:
                self.report.count(self.entity, "conflicts")
                mapping.remote_hash = ""  # look again if it comes back
                unsettled.append(mapping)
                drafts.append(
                    ConflictDraft(
                        twizzit_id=twizzit_id,
                        conflict_type=ConflictType.DELETED_IN_TWIZZIT,
                        local=local,
                        shotspot_data=snapshot(local, self.fields),
                        base_data=mapping.base_data,
                    )
                )
        if self.ctx.dry_run:
            return
        if retired:
            now = timezone.now()
            for local in retired:
                local.updated_at = now
            self.model.objects.bulk_update(retired, [*sorted(retired_fields), "updated_at"])
        if unsettled:
            self.mapping_model.objects.bulk_update(unsettled, ["remote_hash"])
        self.conflicts.record(drafts)
