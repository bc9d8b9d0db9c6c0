"""The importer's verdict on one record: its action, and the rows it may match.

The importer (`importer.py`) reaches one `Verdict` per changed record of a page; the
writer (`writing.py`) turns a page of verdicts into bulk statements. (A person deciding a
conflict field by field is another thing: `field_decisions.py`.)
"""

from __future__ import annotations

from dataclasses import dataclass

from twizzit.mappers.base import Mapped
from twizzit.sync.conflicts import ConflictDraft
from twizzit.sync.merge import MergeResult

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
class Verdict:
    """What one record's sync will do."""

    action: str
    mapped: Mapped
    remote: dict
    mapping: object = None
    local: object = None
    result: MergeResult | None = None
    conflict: ConflictDraft | None = None
