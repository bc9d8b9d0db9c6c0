"""Importing pages of one kind of Twizzit record (the OCA connector's importer).

For each page: map every record (a record that cannot be mapped at all becomes an error
entry and the page goes on; a value the mapper or the model's validators refuse costs
only its field: a warning entry naming the id, the field and the rule, and the field is
left out of the write and remembered on the mapping until Twizzit's value is acceptable;
an id listed twice is synced once, with a warning entry); load the page's mappings in one
query; skip every record whose hash is unchanged (no write at all); for the rest, inside
one transaction with the local rows locked, decide an action per record and write them
with bulk operations. The number of queries per page is constant, whatever the page size.

Per record the decision is one of:
- create: no mapping and no local match → a new ShotSpot row and its mapping;
- link: no mapping, exactly one local match → map it (first link), merged like an update;
- duplicate: several local matches → a pending conflict, nothing created;
- update: mapped → the three-way merge (`merge.py`) applies what it may; conflicting
  fields become a data_mismatch conflict unless the connection's policy settles them;
- deleted in ShotSpot: the mapping is a tombstone → a conflict, or the policy recreates
  the row (twizzit_wins) or keeps it deleted (shotspot_wins).

A dry run takes the same decisions and records them as planned changes instead of
writing. The writes of a page are `writing.py`'s; deletions in Twizzit are judged
separately (`deletions.py`), only after the engine saw a complete listing, and only for
records that a second look by id does not find either. A page whose write fails is rolled
back whole, becomes an error entry, and stops deletions from being judged; the next pages
go on.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from twizzit.mappers.base import Mapped, MappingError, is_int, record_hash
from twizzit.models import ConflictPolicy, ConflictType
from twizzit.sync.conflicts import ConflictDraft, PendingConflicts
from twizzit.sync.deletions import DeletionJudge
from twizzit.sync.merge import MergeResult, merge
from twizzit.sync.values import diff, json_value, snapshot
from twizzit.sync.verdicts import (
    CREATE,
    DELETED_LOCALLY,
    DUPLICATE,
    KEEP_DELETED,
    LINK,
    RECREATE,
    UPDATE,
    Candidate,
    Verdict,
)
from twizzit.sync.writing import PageWriter


class RecordImporter(PageWriter, DeletionJudge):
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
    # Fields whose mapper already applied the model validator's own rule (the same library,
    # the same options): not checked twice, at a few hundredths of a millisecond each.
    prevalidated: tuple[str, ...] = ()
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

    def suppressed(self, twizzit_ids: list[int]) -> set[int]:
        """Of these ids, the records a person had erased here: never imported again."""
        return set()

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
        erased = self.suppressed(ids)
        work: dict[int, Mapped] = {}
        for record in records:
            twizzit_id = record.get("id") if isinstance(record, dict) else None
            if twizzit_id in erased:
                # Counted, never read further: not even mapped, so nothing of it is kept.
                self.report.count(self.entity, "erased")
                continue
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
                mapped = self.check_values(self.map_record(record))
            except MappingError as exc:
                self.report.error(self.entity, twizzit_id, str(exc))
                continue
            if self.is_settled(mapped.hash, settled.get(mapped.twizzit_id)):
                self.report.count(self.entity, "unchanged")  # its refusals were said before
            else:
                self.report_refusals(mapped)
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
                # Erased while this page was read (the erasure commits the suppression
                # and drops the mapping together): not created again.
                erased = self.suppressed([mapped.twizzit_id for mapped in work])
                if erased:
                    work = [mapped for mapped in work if mapped.twizzit_id not in erased]
                    self.report.count(self.entity, "erased", len(erased))
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

    def check_values(self, mapped: Mapped) -> Mapped:
        """Refuse a value the model's own validators refuse (one the database would store,
        but the admin could never save again): the field joins `refused`, the record stays.
        """
        refused = {}
        for name, value in mapped.fields.items():
            if value in (None, "") or name.endswith("_id") or name in self.prevalidated:
                continue
            field = self.model._meta.get_field(name)
            try:
                field.run_validators(field.to_python(value))
            except ValidationError as exc:
                refused[name] = " ".join(exc.messages).rstrip(".")
        if not refused:
            return mapped
        fields = {name: v for name, v in mapped.fields.items() if name not in refused}
        return replace(mapped, fields=fields, refused={**mapped.refused, **refused})

    def subject(self, mapped: Mapped) -> str:
        """The record in a warning: "player 2100001"."""
        return f"{self.entity_type} {mapped.twizzit_id}"

    def report_refusals(self, mapped: Mapped) -> None:
        """One warning per refused field: the id, the field and the rule, never the value."""
        for name, rule in mapped.refused.items():
            field = self.model._meta.get_field(name)
            self.report.warning(
                self.entity,
                mapped.twizzit_id,
                f"{self.subject(mapped)} {field.verbose_name}: Twizzit's value "
                f"was refused ({rule}); the rest of the record was synced",
            )
            self.report.count(self.entity, "refused")
        for note in mapped.notes:
            self.report.warning(self.entity, mapped.twizzit_id, note)

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
    def decide(self, work: list[Mapped], mappings: dict) -> list[Verdict]:
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
                    Verdict(
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

    def decide_unmapped(self, mapped, remote, candidates, policy) -> Verdict:
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
            return Verdict(
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
            return Verdict(DUPLICATE, mapped, remote, conflict=draft)
        return Verdict(CREATE, mapped, remote)

    def decide_deleted_locally(self, mapped, remote, mapping, policy) -> Verdict:
        if policy == ConflictPolicy.TWIZZIT_WINS:
            return Verdict(RECREATE, mapped, remote, mapping=mapping)
        if policy == ConflictPolicy.SHOTSPOT_WINS:
            return Verdict(KEEP_DELETED, mapped, remote, mapping=mapping)
        draft = ConflictDraft(
            twizzit_id=mapped.twizzit_id,
            conflict_type=ConflictType.DELETED_IN_SHOTSPOT,
            twizzit_data=remote,
            base_data=mapping.base_data,
        )
        return Verdict(DELETED_LOCALLY, mapped, remote, mapping=mapping, conflict=draft)

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
    def tally(self, decision: Verdict) -> None:
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

    def preview(self, decisions: list[Verdict]) -> None:
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
