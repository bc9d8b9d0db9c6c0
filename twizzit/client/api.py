"""The Twizzit API v2 endpoints the sync reads, and how listings are paged and batched.

Listings ask for the largest page each endpoint allows and stop on the first page
shorter than that; id filters are batched to fit a safe URL length.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlencode

from twizzit.client.errors import (
    TwizzitConfigError,
    TwizzitPagingError,
)
from twizzit.client.transport import Transport
from twizzit.client.wire import OFFSET_DIGITS_RESERVED, URL_BUDGET

logger = logging.getLogger("twizzit.client")


class TwizzitClient(Transport):
    """One Twizzit connection (base URL, account, organisation) over one requests.Session.

    Not thread-safe: give each thread or task its own client (they can share a store).
    """

    CONTACTS_PAGE_SIZE = 100
    GROUPS_PAGE_SIZE = 250
    GROUP_CONTACTS_PAGE_SIZE = 250
    # Not documented for events: 100 is the largest page proven to be accepted.
    EVENTS_PAGE_SIZE = 100
    DEFAULT_PAGE_SIZE = 100
    URL_BUDGET = URL_BUDGET

    # --- endpoints --------------------------------------------------------------------
    def organizations(self) -> list[dict]:
        return self._get_list("organizations", {})

    def seasons(self, *, season_ids=None, is_current_season=None) -> list[dict]:
        return self._get_list(
            "seasons",
            self._scoped({"season-ids": season_ids, "is-current-season": is_current_season}),
        )

    def iter_groups(
        self,
        *,
        season_id=None,
        group_type=None,
        group_ids=None,
        category_ids=None,
        series_ids=None,
        club_ids=None,
    ) -> Iterator[list[dict]]:
        params = {
            "season-id": season_id,
            "group-type": group_type,
            "group-ids": group_ids,
            "group-category-ids": category_ids,
            "series-ids": series_ids,
            "club-ids": club_ids,
        }
        return self._pages("groups", self._scoped(params), self.GROUPS_PAGE_SIZE)

    def group_types(self) -> list[dict]:
        return self._get_list("group-types", self._scoped({}))

    def group_categories(self, *, category_ids=None, group_type=None) -> list[dict]:
        return self._get_list(
            "group-categories",
            self._scoped({"group-category-ids": category_ids, "group-type": group_type}),
        )

    def iter_contacts(
        self,
        *,
        contact_ids=None,
        membership_type_ids=None,
        membership_season_ids=None,
        current_membership=None,
    ) -> Iterator[list[dict]]:
        params = {
            "contact-ids": contact_ids,
            "membership-type-ids": membership_type_ids,
            "membership-season-ids": membership_season_ids,
            "current-membership": current_membership,
        }
        return self._pages("contacts", self._scoped(params), self.CONTACTS_PAGE_SIZE)

    def iter_group_contacts(self, group_ids: Iterable[int]) -> Iterator[list[dict]]:
        """Roster rows of the groups: as many groups per call as fit the URL budget.

        Each batch is paged with limit/offset and ends on a short page. Paging is not
        documented for this endpoint, so the server's answers are read for what they
        prove: a page longer than the limit means it sent everything (the batch is
        complete), while a full page of rows already seen means it ignores the offset and
        the rest cannot be reached: `TwizzitPagingError`, because a roster read as
        complete when it is not would remove memberships Twizzit still has. No row is
        yielded twice.
        """
        for batch in self.group_id_batches(group_ids):
            yield from self._group_contact_pages(batch)

    def contact_functions(self, *, function_ids=None, function_type=None) -> list[dict]:
        return self._get_list(
            "contact-functions",
            self._scoped(
                {"contact-function-ids": function_ids, "contact-function-type": function_type}
            ),
        )

    def iter_memberships(self) -> Iterator[list[dict]]:
        return self._pages("memberships", self._scoped({}), self.DEFAULT_PAGE_SIZE)

    def membership_types(self) -> list[dict]:
        return self._get_list("membership-types", self._scoped({}))

    def event_types(self) -> list[dict]:
        return self._get_list("event-types", self._scoped({}))

    def event_sub_types(self, *, sub_type_ids=None) -> list[dict]:
        return self._get_list("event-sub-types", self._scoped({"event-sub-type-ids": sub_type_ids}))

    def iter_events(self, *, start_date=None, end_date=None) -> Iterator[list[dict]]:
        """The organisation's events starting between the two dates (YYYY-MM-DD, inclusive)."""
        params = {"start-date": start_date, "end-date": end_date}
        return self._pages("events", self._scoped(params), self.EVENTS_PAGE_SIZE)

    def probe(self, endpoint: str) -> list[dict]:
        """At most one record of a list endpoint of the organisation: a one-call access check."""
        return self._get_list(endpoint, self._scoped({"limit": 1}))

    # --- paging -----------------------------------------------------------------------
    def _pages(self, endpoint: str, params: dict, page_size: int) -> Iterator[list[dict]]:
        seen_pages: set[str] = set()
        offset = 0
        while True:
            page = self._get_list(endpoint, {**params, "limit": page_size, "offset": offset})
            fingerprint = _fingerprint(page)
            if page and fingerprint in seen_pages:
                raise TwizzitPagingError(
                    f"Twizzit sent the same page of {endpoint} again at offset {offset}; "
                    "stopped instead of looping forever.",
                    status=200,
                )
            seen_pages.add(fingerprint)
            if page:
                yield page
            if len(page) < page_size:
                return
            offset += len(page)

    def group_id_batches(self, group_ids: Iterable[int]) -> Iterator[list[int]]:
        """The group ids of `iter_group_contacts`, split into calls that fit the URL budget."""
        return self.id_batches(
            "group-contacts", "group-ids", group_ids, page_size=self.GROUP_CONTACTS_PAGE_SIZE
        )

    def id_batches(
        self,
        endpoint: str,
        name: str,
        ids: Iterable[int],
        *,
        page_size: int,
        params=None,
        max_ids: int | None = None,
    ) -> Iterator[list[int]]:
        """`ids` for the `name[]` filter of `endpoint`, split into calls within the URL budget.

        The fixed part of the URL (organisation, `params`, limit and an offset of the
        widest width) is measured once; each id then costs its own characters. With
        `max_ids` no batch holds more ids than that.
        """
        ids = list(dict.fromkeys(int(record_id) for record_id in ids))
        reserve = {**(params or {}), "limit": page_size, "offset": 10**OFFSET_DIGITS_RESERVED - 1}
        fixed = len(self._url(endpoint, self._scoped(reserve)))
        per_id = len(urlencode({f"{name}[]": ""})) + 1  # "&group-ids%5B%5D="
        batch: list[int] = []
        length = fixed
        for record_id in ids:
            cost = per_id + len(str(record_id))
            if fixed + cost > self.URL_BUDGET:
                raise TwizzitConfigError(f"Id {record_id} does not fit in a URL.")
            if length + cost > self.URL_BUDGET or len(batch) == max_ids:
                yield batch
                batch, length = [], fixed
            batch.append(record_id)
            length += cost
        if batch:
            yield batch

    def iter_contacts_by_id(self, contact_ids: Iterable[int]) -> Iterator[list[dict]]:
        """Only these contacts: as many ids per call as fit the URL budget.

        A batch holds fewer ids than a page, so its one answer is a short page and no
        second call is needed to prove the end.
        """
        size = self.CONTACTS_PAGE_SIZE
        for batch in self.id_batches(
            "contacts", "contact-ids", contact_ids, page_size=size, max_ids=size - 1
        ):
            yield from self.iter_contacts(contact_ids=batch)

    def iter_groups_by_id(self, group_ids: Iterable[int], *, group_type=None):
        """Only these groups: as many ids per call as fit the URL budget (one page each)."""
        for batch in self.id_batches(
            "groups",
            "group-ids",
            group_ids,
            page_size=self.GROUPS_PAGE_SIZE,
            params={"group-type": group_type},
            max_ids=self.GROUPS_PAGE_SIZE - 1,
        ):
            yield from self.iter_groups(group_ids=batch, group_type=group_type)

    def _group_contact_pages(self, batch: list[int]) -> Iterator[list[dict]]:
        page_size = self.GROUP_CONTACTS_PAGE_SIZE
        seen_rows: set[str] = set()
        offset = 0
        while True:
            params = self._scoped({"group-ids": batch, "limit": page_size, "offset": offset})
            page = self._get_list("group-contacts", params)
            fresh = []
            for row in page:
                key = _canonical(row)
                if key not in seen_rows:
                    seen_rows.add(key)
                    fresh.append(row)
            if len(page) == page_size and not fresh:
                raise TwizzitPagingError(
                    f"Twizzit sent the same page of group-contacts again at offset {offset} "
                    f"for a batch of {len(batch)} groups: it seems to ignore the offset, so "
                    "the roster listing may be incomplete.",
                    status=200,
                )
            if fresh:
                yield fresh
            # A short page proves the end; a longer one means the limit was ignored and
            # the server sent all the rows there were.
            if len(page) != page_size:
                return
            offset += len(page)


def _canonical(record: Any) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), default=str)


def _fingerprint(page: list[dict]) -> str:
    return hashlib.sha256(_canonical(page).encode("utf-8")).hexdigest()
