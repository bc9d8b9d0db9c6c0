"""Importing pages of one kind of Twizzit record (the OCA connector's importer).

For each page: map every record (a record that cannot be mapped, or whose values the
model's validators refuse, becomes an error entry and the page goes on; an id listed
twice is synced once, with a warning entry); load the page's mappings in one query; skip
every record whose hash is unchanged (no write at all); for the rest, inside one
transaction with the local rows locked, decide an action per record and write them with
bulk operations. The number of queries per page is constant, whatever the page size.

Per record the decision is one of:
- create: no mapping and no local match → a new ShotSpot row and its mapping;
- link: no mapping, exactly one local match → map it (first link), merged like an update;
- duplicate: several local matches → a pending conflict, nothing created;
- update: mapped → the three-way merge (`merge.py`) applies what it may; conflicting
  fields become a data_mismatch conflict unless the connection's policy settles them;
- deleted in ShotSpot: the mapping is a tombstone → a conflict, or the policy recreates
  the row (twizzit_wins) or keeps it deleted (shotspot_wins).

A dry run takes the same decisions and records them as planned changes instead of writing.
Deletions in Twizzit are judged separately (`judge_deletions`), only after the engine saw a
complete listing, and only for records that a second look by id does not find either (a
record can slip between pages when the listing shifts while it is read). A page whose
write fails is rolled back whole, becomes an error entry, and stops deletions from being
judged; the next pages go on.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from shotspot.models import SyncSource
from twizzit.mappers.base import Mapped, MappingError, is_int, record_hash
from twizzit.models import ConflictPolicy, ConflictType
from twizzit.sync.conflicts import ConflictDraft, PendingConflicts
from twizzit.sync.merge import MergeResult, merge
from twizzit.sync.values import assign, diff, json_value, snapshot

CHUNK = 500
REFETCH_BATCH = 100  # Twizzit ids per second-look call: fits a safe URL length

CREATE = "create"
LINK = "link"
UPDATE = "update"
DUPLICATE = "duplicate"
DELETED_LOCALLY = "deleted_in_shotspot"
RECREATE = "recreate"
KEEP_DELETED = "keep_deleted"
SETTLING = (CREATE, LINK, UPDATE, RECREATE)  # without a conflict, these settle a record


@dataclass
class Candidate:
    """A local row that an unmapped Twizzit record may be the same as."""

    instance: object
    matched_on: str


@dataclass
class Decision:
    """What one record's sync will do."""

    action: str
    mapped: Mapped
    remote: dict
    mapping: object = None
    local: object = None
    result: MergeResult | None = None
    conflict: ConflictDraft | None = None


class RecordImporter:
    """Template for seasons, teams and players; subclasses set the names and hooks."""

    entity: str  # the report's key: "players"
    entity_type: str  # the conflicts' entity type: "player"
    model = None
    mapping_model = None
    remote_attr: str  # "twizzit_contact_id"
    local_attr: str  # "player"
    fields: tuple[str, ...] = ()
    mapping_extra_fields: tuple[str, ...] = ()  # mapping columns kept from the record
    archivable = False
    hash_is_raw = False  # Mapped.hash is record_hash(raw record): unchanged needs no mapping

    def __init__(self, ctx):
        self.ctx = ctx
        self.config = ctx.config
        self.report = ctx.report
        self.seen: set[int] = set()
        self.claimed: set[int] = set()  # local rows linked during this run
        self.incomplete = False  # a page could not be written: deletions are not judged
        self.conflicts = PendingConflicts(ctx.config, ctx.log, self.entity_type)
        # Set by the engine: Twizzit ids → pages of those records, for the second look.
        self.refetch = None

    @cached_property
    def defaults(self) -> dict:
        """The merged fields' model defaults: on a first link they count as never filled in."""
        defaults = {}
        for name in self.fields:
            field = self.model._meta.get_field(name.removesuffix("_id"))
            if field.has_default():
                defaults[name] = json_value(field.get_default())
        return defaults

    # --- hooks ---------------------------------------------------------------------
    def map_record(self, record) -> Mapped:
        raise NotImplementedError

    def remote_values(self, mapped: Mapped) -> dict:
        return dict(mapped.fields)

    def find_candidates(self, unmapped: list[Mapped]) -> dict[int, list[Candidate]]:
        return {}

    def prepare(self, mapped: list[Mapped]) -> None:
        """Make what the page's records refer to (e.g. clubs) before deciding."""

    def label(self, values: dict) -> str:
        return str(values.get("name", ""))

    def mapping_extras(self, mapped: Mapped) -> dict:
        """Values of `mapping_extra_fields` for this record."""
        return {}

    # --- the page --------------------------------------------------------------------
    def import_page(self, records: list) -> None:
        self.report.count(self.entity, "fetched", len(records))
        ids = [r["id"] for r in records if isinstance(r, dict) and is_int(r.get("id"))]
        # The cheap look first: most records of a re-sync are unchanged, and telling so
        # needs only the hashes, not the rows (nor the mapping, where the hash is the raw
        # record's: an unchanged record mapped without error the last time).
        rows = self.mapping_model.objects.filter(
            config=self.config, **{f"{self.remote_attr}__in": ids}
        ).values_list(self.remote_attr, "remote_hash", "ignore_remote", f"{self.local_attr}_id")
        settled = {twizzit_id: state for twizzit_id, *state in rows}
        work: dict[int, Mapped] = {}
        for record in records:
            twizzit_id = record.get("id") if isinstance(record, dict) else None
            if is_int(twizzit_id):
                if twizzit_id in self.seen:
                    # Synced once per run: two versions would flip back and forth.
                    self.report.warning(
                        self.entity,
                        twizzit_id,
                        f"Twizzit id {twizzit_id} is listed more than once; "
                        "only its first listing was synced",
                    )
                    continue
                self.seen.add(twizzit_id)
            state = settled.get(twizzit_id)
            if self.hash_is_raw and state and self.is_settled(record_hash(record), state):
                self.report.count(self.entity, "unchanged")
                continue
            try:
                mapped = self.map_record(record)
                self.check_values(mapped)
            except MappingError as exc:
                self.report.error(self.entity, twizzit_id, str(exc))
                continue
            if self.is_settled(mapped.hash, settled.get(mapped.twizzit_id)):
                self.report.count(self.entity, "unchanged")
            else:
                work[mapped.twizzit_id] = mapped
        work = list(work.values())
        if not work:
            return

        if self.ctx.dry_run:
            self.prepare(work)
            self.preview(self.decide(work, self.load_mappings([m.twizzit_id for m in work])))
            return
        try:
            with transaction.atomic():
                self.ctx.hold_claim()  # a run that lost its lease must not write this page
                self.prepare(work)
                locked = self.load_mappings([mapped.twizzit_id for mapped in work], lock=True)
                decisions = self.decide(work, locked)
                self.write(decisions)
        except DatabaseError as exc:
            self.incomplete = True
            reason = str(exc).strip().split("\n", 1)[0]  # a DETAIL line may quote values
            self.report.error(
                self.entity,
                None,
                f"A page of {len(work)} {self.entity} could not be written and was rolled "
                f"back ({type(exc).__name__}: {reason}); no deletions were judged.",
            )
            return
        for decision in decisions:
            self.tally(decision)

    def check_values(self, mapped: Mapped) -> None:
        """Refuse a value the model's own validators refuse (an email Django calls invalid
        could be stored, but never saved again in the admin). Names the field, not the value.
        """
        for name, value in mapped.fields.items():
            if value in (None, "") or name.endswith("_id"):
                continue
            field = self.model._meta.get_field(name)
            try:
                field.run_validators(field.to_python(value))
            except ValidationError as exc:
                raise MappingError(
                    f"{self.entity_type} {mapped.twizzit_id} {name}: {' '.join(exc.messages)}"
                ) from None

    @staticmethod
    def is_settled(record_hash: str, state) -> bool:
        """Nothing to do: ignored on purpose, or unchanged since a sync that settled it."""
        if state is None:
            return False
        remote_hash, ignore_remote, local_id = state
        return ignore_remote or (remote_hash == record_hash and local_id is not None)

    def local_of(self, mapping):
        return getattr(mapping, self.local_attr)

    def load_mappings(self, twizzit_ids: list[int], *, lock: bool = False) -> dict:
        query = self.mapping_model.objects.filter(
            config=self.config, **{f"{self.remote_attr}__in": twizzit_ids}
        )
        if lock:
            query = query.select_for_update(of=("self",))
            mappings = list(query)
            # Lock the local rows too, so an edit made in ShotSpot meanwhile is merged,
            # never overwritten by a stale copy.
            local_ids = [getattr(m, f"{self.local_attr}_id") for m in mappings]
            locals_by_pk = self.model.objects.select_for_update().in_bulk(
                [pk for pk in local_ids if pk is not None]
            )
            for mapping in mappings:
                setattr(
                    mapping,
                    self.local_attr,
                    locals_by_pk.get(getattr(mapping, f"{self.local_attr}_id")),
                )
        else:
            mappings = list(query.select_related(self.local_attr))
        return {getattr(mapping, self.remote_attr): mapping for mapping in mappings}

    # --- deciding ----------------------------------------------------------------------
    def decide(self, work: list[Mapped], mappings: dict) -> list[Decision]:
        policy = self.config.conflict_policy
        unmapped = [mapped for mapped in work if mapped.twizzit_id not in mappings]
        candidates = self.find_candidates(unmapped) if unmapped else {}
        decisions = []
        for mapped in work:
            remote = self.remote_values(mapped)
            mapping = mappings.get(mapped.twizzit_id)
            if mapping is None:
                decisions.append(self.decide_unmapped(mapped, remote, candidates, policy))
            elif self.local_of(mapping) is None:
                decisions.append(self.decide_deleted_locally(mapped, remote, mapping, policy))
            else:
                local = self.local_of(mapping)
                result = merge(
                    mapping.base_data,
                    snapshot(local, self.fields),
                    remote,
                    policy=policy,
                    defaults=self.defaults,
                )
                decisions.append(
                    Decision(
                        UPDATE,
                        mapped,
                        remote,
                        mapping=mapping,
                        local=local,
                        result=result,
                        conflict=self.mismatch(mapped, local, result),
                    )
                )
        return decisions

    def decide_unmapped(self, mapped, remote, candidates, policy) -> Decision:
        options = [
            candidate
            for candidate in candidates.get(mapped.twizzit_id, [])
            if candidate.instance.pk not in self.claimed
        ]
        if len(options) == 1:
            local = options[0].instance
            self.claimed.add(local.pk)
            result = merge(
                {}, snapshot(local, self.fields), remote, policy=policy, defaults=self.defaults
            )
            return Decision(
                LINK,
                mapped,
                remote,
                local=local,
                result=result,
                conflict=self.mismatch(mapped, local, result),
            )
        if len(options) > 1:
            draft = ConflictDraft(
                twizzit_id=mapped.twizzit_id,
                conflict_type=ConflictType.DUPLICATE,
                twizzit_data=remote,
                candidates=[
                    {"id": c.instance.pk, "label": str(c.instance), "matched_on": c.matched_on}
                    for c in options
                ],
            )
            return Decision(DUPLICATE, mapped, remote, conflict=draft)
        return Decision(CREATE, mapped, remote)

    def decide_deleted_locally(self, mapped, remote, mapping, policy) -> Decision:
        if policy == ConflictPolicy.TWIZZIT_WINS:
            return Decision(RECREATE, mapped, remote, mapping=mapping)
        if policy == ConflictPolicy.SHOTSPOT_WINS:
            return Decision(KEEP_DELETED, mapped, remote, mapping=mapping)
        draft = ConflictDraft(
            twizzit_id=mapped.twizzit_id,
            conflict_type=ConflictType.DELETED_IN_SHOTSPOT,
            twizzit_data=remote,
            base_data=mapping.base_data,
        )
        return Decision(DELETED_LOCALLY, mapped, remote, mapping=mapping, conflict=draft)

    def mismatch(self, mapped, local, result: MergeResult) -> ConflictDraft | None:
        if not result.has_conflicts:
            return None
        names = list(result.conflicts)
        return ConflictDraft(
            twizzit_id=mapped.twizzit_id,
            conflict_type=ConflictType.DATA_MISMATCH,
            local=local,
            fields=names,
            shotspot_data={name: result.conflicts[name]["shotspot"] for name in names},
            twizzit_data={name: result.conflicts[name]["twizzit"] for name in names},
            base_data={name: result.conflicts[name]["base"] for name in names},
        )

    # --- counting, previewing, writing ---------------------------------------------------
    def tally(self, decision: Decision) -> None:
        count = self.report.count
        action, result = decision.action, decision.result
        if action in (CREATE, RECREATE):
            count(self.entity, "created")
        elif action == KEEP_DELETED:
            count(self.entity, "skipped")
            count(self.entity, "policy_decided")
        elif action in (LINK, UPDATE):
            if result.apply or action == LINK:
                count(self.entity, "updated")
            elif not result.has_conflicts:
                count(self.entity, "unchanged")
            if result.policy_decided:
                count(self.entity, "policy_decided")
        if decision.conflict is not None:
            count(self.entity, "conflicts")
        if action == RECREATE:
            count(self.entity, "policy_decided")

    def preview(self, decisions: list[Decision]) -> None:
        planned = self.ctx.planned.setdefault(self.entity, set())
        for decision in decisions:
            self.tally(decision)
            mapped, action = decision.mapped, decision.action
            if action in (CREATE, LINK, RECREATE):
                planned.add(mapped.twizzit_id)
            if action in (CREATE, RECREATE):
                changes = diff({}, decision.remote)
            elif action in (LINK, UPDATE):
                if not decision.result.apply and decision.conflict is None and action == UPDATE:
                    continue
                changes = diff(snapshot(decision.local, self.fields), decision.result.apply)
            else:
                changes = None
            shown = "conflict" if action == UPDATE and decision.conflict is not None else action
            self.report.plan(
                self.entity, mapped.twizzit_id, shown, self.label(decision.remote), changes
            )

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
        )

    def write(self, decisions: list[Decision]) -> None:
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
                for name, value in self.mapping_extras(mapped).items():
                    setattr(mapping, name, value)
                changed_mappings.append(mapping)
            if decision.conflict is not None:
                conflicts.append(decision.conflict)

        if new_locals:
            self.model.objects.bulk_create([instance for _, instance in new_locals])
            self.ctx.statistics.inserted(self.model, len(new_locals))
            for decision, instance in new_locals:
                if decision.action == RECREATE:
                    setattr(decision.mapping, self.local_attr, instance)
                    decision.mapping.base_data = decision.remote
                    decision.mapping.remote_hash = decision.mapped.hash
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
            self.mapping_model.objects.bulk_create(new_mappings)
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
                    "last_synced_at",
                    "updated_at",
                    *self.mapping_extra_fields,
                ],
            )
        self.conflicts.record(conflicts)
        self.conflicts.close_settled(
            [d.mapped.twizzit_id for d in decisions if d.conflict is None and d.action in SETTLING]
        )

    # --- deletions in Twizzit ----------------------------------------------------------------
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

    def judge_chunk(self, mapping_pks: list[int]) -> None:
        policy = self.config.conflict_policy
        now = timezone.now()
        mappings = self.mapping_model.objects.filter(pk__in=mapping_pks).select_related(
            self.local_attr
        )
        archived, drafts, unsettled = [], [], []
        for mapping in mappings:
            local = self.local_of(mapping)
            if local is None or local.archived_at is not None:
                continue
            twizzit_id = getattr(mapping, self.remote_attr)
            if self.ctx.dry_run:
                label = self.label(snapshot(local, self.fields))
                self.report.plan(self.entity, twizzit_id, "deleted_in_twizzit", label)
            if policy == ConflictPolicy.TWIZZIT_WINS:
                local.archived_at = now
                archived.append(local)
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
        if archived:
            self.model.objects.bulk_update(archived, ["archived_at"])
        if unsettled:
            self.mapping_model.objects.bulk_update(unsettled, ["remote_hash"])
        self.conflicts.record(drafts)
