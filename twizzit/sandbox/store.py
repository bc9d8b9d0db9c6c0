"""The sandbox's records: what the fake Twizzit knows, and how tests edit it.

`RecordStore` keeps the generated `SandboxData` and lets a test change it the way a
club secretary would in Twizzit: edit, add or remove contacts and teams, and move
people in and out of teams.

Records are never changed in place: an edit builds a new dict and a new list, and the
read-side indexes (`View`) are rebuilt from them on the next request. A handler thread
holding the previous `View` therefore keeps serving a consistent page while a test edits.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, replace

from twizzit.sandbox import data as gen
from twizzit.sandbox.events import new_event
from twizzit.sandbox.people import new_contact


@dataclass(frozen=True)
class View:
    """A consistent, read-only snapshot of the records with the indexes the API needs."""

    contacts: list[dict]
    contact_by_id: dict[int, dict]
    groups: list[dict]
    group_by_id: dict[int, dict]
    group_seasons: dict[int, int]
    links_by_group: dict[int, list[dict]]
    memberships: list[dict]
    memberships_by_contact: dict[int, list[dict]]
    current_members: frozenset[int]
    data: gen.SandboxData

    @classmethod
    def build(cls, data: gen.SandboxData) -> View:
        contacts = sorted(data.contacts, key=lambda record: record["id"])
        groups = sorted(data.groups, key=lambda record: record["id"])
        links_by_group: dict[int, list[dict]] = {}
        for row in data.group_contacts:
            links_by_group.setdefault(row["groupId"], []).append(row)
        by_contact: dict[int, list[dict]] = {}
        for membership in data.memberships:
            by_contact.setdefault(membership["contact-id"], []).append(membership)
        current = next(season for season in data.seasons if season["active"])
        return cls(
            contacts=contacts,
            contact_by_id={record["id"]: record for record in contacts},
            groups=groups,
            group_by_id={record["id"]: record for record in groups},
            group_seasons=dict(data.group_seasons),
            links_by_group=links_by_group,
            memberships=data.memberships,
            memberships_by_contact=by_contact,
            current_members=frozenset(
                membership["contact-id"]
                for membership in data.memberships
                if is_current_membership(membership, current)
            ),
            data=data,
        )


def is_current_membership(membership: dict, current_season: dict) -> bool:
    """In the current season, or open-ended and begun before the season ends."""
    if membership["season-id"] is not None:
        return membership["season-id"] == current_season["id"]
    started = membership["start-date"] <= current_season["end-date"]
    ended = membership["end-date"] and membership["end-date"] < current_season["start-date"]
    return started and not ended


def kebab(fields: dict) -> dict:
    """Accept Python-friendly `first_name=` for the API's `first-name`."""
    return {key.replace("_", "-"): value for key, value in fields.items()}


def json_copy(value):
    """A deep copy that shares nothing with the store, exactly as the API would send it."""
    return json.loads(json.dumps(value))


class RecordStore:
    """The records and their edits; every public method is thread-safe."""

    def __init__(
        self, *, seed: int = 1, contacts: int = 300, groups: int = 24, messy: bool = False
    ):
        self.seed, self.size = seed, {"contacts": contacts, "groups": groups}
        self.messy = messy
        self.organization_id = gen.ORGANIZATION_ID
        self._lock = threading.RLock()
        self._data = gen.generate(seed, contacts, groups, messy=messy)
        self._edited = False
        self._view: View | None = None

    def restore(self) -> None:
        """Back to the generated records (regenerated only when a test edited them)."""
        with self._lock:
            if self._edited:
                self._data = gen.generate(self.seed, **self.size, messy=self.messy)
                self._edited = False
                self._view = None

    # --- reading ------------------------------------------------------------------
    def view(self) -> View:
        with self._lock:
            if self._view is None:
                self._view = View.build(self._data)
            return self._view

    @property
    def contacts(self) -> list[dict]:
        return json_copy(self.view().contacts)

    @property
    def groups(self) -> list[dict]:
        return json_copy(self.view().groups)

    @property
    def group_contacts(self) -> list[dict]:
        return json_copy(self.view().data.group_contacts)

    @property
    def seasons(self) -> list[dict]:
        return json_copy(self.view().data.seasons)

    @property
    def memberships(self) -> list[dict]:
        return json_copy(self.view().memberships)

    @property
    def contact_functions(self) -> list[dict]:
        return json_copy(self.view().data.contact_functions)

    @property
    def current_season(self) -> dict:
        return next(season for season in self.seasons if season["active"])

    @property
    def events(self) -> list[dict]:
        return json_copy(self.view().data.events)

    def event(self, event_id: int) -> dict:
        return json_copy(self._existing(self._events_by_id(), event_id, "event"))

    def contact(self, contact_id: int) -> dict:
        return json_copy(self._existing(self.view().contact_by_id, contact_id, "contact"))

    def group(self, group_id: int) -> dict:
        return json_copy(self._existing(self.view().group_by_id, group_id, "group"))

    @staticmethod
    def _existing(index: dict, record_id: int, kind: str) -> dict:
        try:
            return index[int(record_id)]
        except (KeyError, TypeError, ValueError):
            raise KeyError(f"no {kind} with id {record_id!r}") from None

    # --- editing records ------------------------------------------------------------
    def _commit(self, **changes) -> None:
        """Swap in a new SandboxData (never edit the old one: a handler may be reading it)."""
        self._data = replace(self._data, **changes)
        self._edited = True
        self._view = None

    @staticmethod
    def _edited_record(record: dict, fields: dict, kind: str) -> dict:
        fields = kebab(fields)
        unknown = sorted(set(fields) - set(record))
        if unknown:
            raise ValueError(f"unknown {kind} field(s): {', '.join(unknown)}")
        if "id" in fields and fields["id"] != record["id"]:
            raise ValueError(f"a {kind}'s id cannot change")
        updated = {**record, **json_copy(fields)}
        if kind == "contact" and "name" not in fields:
            updated["name"] = f"{updated['first-name']} {updated['last-name']}".strip()
        return updated

    def update_contact(self, contact_id: int, **fields) -> dict:
        with self._lock:
            old = self._existing(self.view().contact_by_id, contact_id, "contact")
            new = self._edited_record(old, fields, "contact")
            self._commit(contacts=[new if c is old else c for c in self._data.contacts])
            return json_copy(new)

    def update_contacts(self, changes: dict[int, dict]) -> int:
        """Edit many contacts in one new snapshot (a benchmark's 1% of 50,000 contacts)."""
        with self._lock:
            by_id = self.view().contact_by_id
            edited = {
                int(contact_id): self._edited_record(
                    self._existing(by_id, contact_id, "contact"), fields, "contact"
                )
                for contact_id, fields in changes.items()
            }
            self._commit(contacts=[edited.get(c["id"], c) for c in self._data.contacts])
            return len(edited)

    def add_contact(self, *, current_membership: bool = True, **fields) -> dict:
        """Add a contact (generated, then `fields` applied), with a current membership."""
        with self._lock:
            view = self.view()
            fields = kebab(fields)
            contact_id = int(fields.pop("id", 0) or _next_id(view.contact_by_id))
            if contact_id in view.contact_by_id:
                raise ValueError(f"a contact with id {contact_id} already exists")
            season_start = int(self._current_season()["start-date"][:4])
            record = self._edited_record(new_contact(contact_id, season_start), fields, "contact")
            memberships = self._data.memberships
            if current_membership:
                membership_id = _next_id({m["id"]: m for m in memberships})
                membership = gen.new_membership(membership_id, contact_id, self._current_season())
                memberships = [*memberships, membership]
            self._commit(contacts=[*self._data.contacts, record], memberships=memberships)
            return json_copy(record)

    def remove_contact(self, contact_id: int) -> None:
        """Remove a contact with its roster lines and memberships, as Twizzit would."""
        with self._lock:
            old = self._existing(self.view().contact_by_id, contact_id, "contact")
            data = self._data
            self._commit(
                contacts=[c for c in data.contacts if c is not old],
                group_contacts=[r for r in data.group_contacts if r["contactId"] != old["id"]],
                memberships=[m for m in data.memberships if m["contact-id"] != old["id"]],
            )

    def update_group(self, group_id: int, **fields) -> dict:
        """Edit a group; `season` may be a season id, a season object or None."""
        with self._lock:
            old = self._existing(self.view().group_by_id, group_id, "group")
            fields = self._season_object(kebab(fields))
            new = self._edited_record(old, fields, "group")
            group_seasons = dict(self._data.group_seasons)
            if new["season"] is not None:
                group_seasons[new["id"]] = new["season"]["id"]
            self._commit(
                groups=[new if g is old else g for g in self._data.groups],
                group_seasons=group_seasons,
            )
            return json_copy(new)

    def add_group(self, **fields) -> dict:
        """Add a team (current season, seniors, the club's) with `fields` applied."""
        with self._lock:
            view = self.view()
            fields = self._season_object(kebab(fields))
            group_id = int(fields.pop("id", 0) or _next_id(view.group_by_id))
            if group_id in view.group_by_id:
                raise ValueError(f"a group with id {group_id} already exists")
            current = self._current_season()
            base = {
                "id": group_id,
                "name": f"Nieuwe ploeg {group_id}",
                "short-name": "",
                "image": None,
                "category": 301,
                "club": gen.CLUB_ID,
                "season": gen.season_summary(current),
                "series": [],
                "extra-field-values": [],
            }
            record = self._edited_record(base, fields, "group")
            season_id = record["season"]["id"] if record["season"] else current["id"]
            self._commit(
                groups=[*self._data.groups, record],
                group_seasons={**self._data.group_seasons, group_id: season_id},
            )
            return json_copy(record)

    def remove_group(self, group_id: int) -> None:
        with self._lock:
            old = self._existing(self.view().group_by_id, group_id, "group")
            data = self._data
            self._commit(
                groups=[g for g in data.groups if g is not old],
                group_contacts=[r for r in data.group_contacts if r["groupId"] != old["id"]],
                group_seasons={k: v for k, v in data.group_seasons.items() if k != old["id"]},
            )

    def _events_by_id(self) -> dict[int, dict]:
        return {event["id"]: event for event in self._data.events}

    def add_event(self, **fields) -> dict:
        """Add an event: a home match of the first current team unless `fields` say otherwise."""
        with self._lock:
            by_id = self._events_by_id()
            fields = kebab(fields)
            event_id = int(fields.pop("id", 0) or _next_id(by_id))
            if event_id in by_id:
                raise ValueError(f"an event with id {event_id} already exists")
            season = self._current_season()
            teams = [
                g
                for g in self._data.groups
                if self._data.group_seasons.get(g["id"]) == season["id"]
            ]
            if not teams and "event-groups" not in fields:
                raise ValueError("the sandbox has no current team; give event-groups")
            base = new_event(
                event_id, teams[0] if teams else {"id": 0, "name": "", "series": []}, season
            )
            record = {**base, **json_copy(fields)}
            self._commit(events=[*self._data.events, record])
            return json_copy(record)

    def update_event(self, event_id: int, **fields) -> dict:
        """Edit an event; keys the record does not have yet (e.g. `cancelled`) are added."""
        with self._lock:
            old = self._existing(self._events_by_id(), event_id, "event")
            fields = kebab(fields)
            if "id" in fields and fields["id"] != old["id"]:
                raise ValueError("an event's id cannot change")
            new = {**old, **json_copy(fields)}
            self._commit(events=[new if e is old else e for e in self._data.events])
            return json_copy(new)

    def remove_event(self, event_id: int) -> None:
        with self._lock:
            old = self._existing(self._events_by_id(), event_id, "event")
            self._commit(events=[e for e in self._data.events if e is not old])

    def _current_season(self) -> dict:
        return next(season for season in self._data.seasons if season["active"])

    def _season_object(self, fields: dict) -> dict:
        season = fields.get("season")
        if season is None or isinstance(season, dict):
            return fields
        by_id = {s["id"]: s for s in self._data.seasons}
        if season not in by_id:
            raise ValueError(f"no season with id {season!r}")
        return {**fields, "season": gen.season_summary(by_id[season])}

    def add_group_contact(
        self, group_id: int, contact_id: int, function_id: int = gen.PLAYER
    ) -> dict:
        """Put a contact in a group with a function (player by default)."""
        with self._lock:
            view = self.view()
            self._existing(view.group_by_id, group_id, "group")
            self._existing(view.contact_by_id, contact_id, "contact")
            row = {
                "groupId": int(group_id),
                "contactId": int(contact_id),
                "contactFunctionId": int(function_id),
            }
            if row not in view.links_by_group.get(row["groupId"], []):
                self._commit(group_contacts=[*self._data.group_contacts, row])
            return dict(row)

    def remove_group_contact(
        self, group_id: int, contact_id: int, function_id: int | None = None
    ) -> int:
        """Take a contact out of a group (every function, or just one); returns rows removed."""
        with self._lock:

            def removed(row: dict) -> bool:
                return (
                    row["groupId"] == int(group_id)
                    and row["contactId"] == int(contact_id)
                    and (function_id is None or row["contactFunctionId"] == int(function_id))
                )

            kept = [row for row in self._data.group_contacts if not removed(row)]
            count = len(self._data.group_contacts) - len(kept)
            if not count:
                raise KeyError(f"contact {contact_id} is not in group {group_id}")
            self._commit(group_contacts=kept)
            return count


def _next_id(index: dict) -> int:
    return max(index, default=0) + 1
