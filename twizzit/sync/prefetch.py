"""Fetch the next page of a listing while this one is written: network and database overlap.

Twizzit answers each call in tens to hundreds of milliseconds. Read sequentially, a sync
waits for every page, then writes it, then waits for the next: the sum of both. `prefetch`
runs the client's page iterator in one extra thread, at most one page ahead, so the next
call is on the wire while the engine writes the current page.

What must not change, and how it holds:

- **The database stays in the sync's thread.** The client reaches the database only
  through its quota meter and its token store. While a listing is prefetched both are
  replaced by relays: a call from the fetching thread is handed to the sync's thread,
  which runs it and hands back the result or the exception. So the quota is still spent
  (or refused) *before* each request is sent, in the sync's own connection, and a
  test's transaction sees it. The worker thread never opens a database connection.
- **Bounded: one page ahead, memory flat.** The worker may send a request only once the
  sync's thread has run its meter call, and the sync's thread does so only when it takes
  a page. So at any time at most one page waits in the hand-over and one is on the wire.
- **Call count unchanged.** The worker runs the client's own iterator, which decides
  from each page whether there is another: exactly the calls a sequential read makes,
  in the same order. The only difference is timing: when the run stops early
  (cancelled, lease lost, a failed phase), the one request already on the wire is
  finished and counted, and nothing more is sent.
- **Failures arrive in order.** An error on page N+1 is raised when the engine asks for
  page N+1, after page N was handed over and written, exactly as without prefetching;
  retries and 429 waits happen in the worker, their meter calls relayed like any other.
- **Stopping is prompt and clean.** Leaving the `with` block (at the end, on an error, on
  a cancellation) refuses the worker's next meter call, waits for the request on the
  wire, and joins the thread; the client is the sync's alone again afterwards.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# Longest wait for the worker to stop: the client's read timeout with its retries fits.
JOIN_TIMEOUT = 180

logger = logging.getLogger(__name__)

_PAGE, _DONE, _ERROR, _CALL = "page", "done", "error", "call"


class PrefetchStopped(Exception):
    """The listing was abandoned: the worker sends nothing more."""


class _Relay:
    """Stands in for the meter or the token store: runs their methods in the owner thread."""

    def __init__(self, target, prefetcher: Prefetcher, *, grants_send: bool = False):
        self._target = target
        self._prefetcher = prefetcher
        self._grants_send = grants_send  # the meter: once it said yes, the request goes out

    def __repr__(self) -> str:
        return f"<relay of {self._target!r}>"

    def __getattr__(self, name):
        method = getattr(self._target, name)
        if not callable(method):
            return method

        def relayed(*args, **kwargs):
            return self._prefetcher.run_in_owner(
                method, args, kwargs, grants_send=self._grants_send
            )

        return relayed


class Prefetcher:
    """One listing, read by a worker thread one page ahead of the sync's thread."""

    def __init__(self, client, listing: Callable[[], Iterator[list[dict]]]):
        self.client = client
        self.listing = listing
        self.owner = threading.get_ident()
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()  # worker → owner
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._work, name="twizzit-prefetch", daemon=True)
        self._held = None  # a terminal message received while settling the next request
        self._saved = None

    # --- the sync's thread -------------------------------------------------------------
    def start(self) -> Prefetcher:
        self._saved = (self.client.meter, self.client.token_store)
        self.client.meter = _Relay(self.client.meter, self, grants_send=True)
        self.client.token_store = _Relay(self.client.token_store, self)
        self._thread.start()
        return self

    def pages(self) -> Iterator[list[dict]]:
        while True:
            kind, value = self._held or self._next_message(until_page=True)
            self._held = None
            if kind == _DONE:
                return
            if kind == _ERROR:
                raise value
            # Let the worker put the next request on the wire before the page is written.
            self._held = self._next_message(until_page=False)
            yield value

    def _next_message(self, *, until_page: bool):
        """Serve the worker's relayed calls until a page arrives (or, with `until_page`
        false, until it is granted a request: then the wire, not us, is what it waits on)."""
        while True:
            message = self._inbox.get()
            if message[0] != _CALL:
                return message
            _, method, args, kwargs, reply, grants_send = message
            try:
                reply.put((True, method(*args, **kwargs)))
            except BaseException as exc:  # handed to the worker, raised in the client
                reply.put((False, exc))
                continue
            if grants_send and not until_page:
                return None

    def close(self) -> None:
        self._stopped.set()
        deadline = time.monotonic() + JOIN_TIMEOUT
        while self._thread.is_alive() and time.monotonic() < deadline:
            try:
                message = self._inbox.get(timeout=0.05)
            except queue.Empty:
                continue
            if message[0] == _CALL:  # refused: the worker sends nothing more
                message[4].put((False, PrefetchStopped()))
        if self._thread.is_alive():
            # The relays stay: they run the sync's own calls directly and refuse the worker's.
            logger.warning("A Twizzit request was still unanswered after %s s.", JOIN_TIMEOUT)
        elif self._saved is not None:
            self.client.meter, self.client.token_store = self._saved

    def run_in_owner(self, method, args, kwargs, *, grants_send: bool):
        if threading.get_ident() == self.owner:
            return method(*args, **kwargs)
        if self._stopped.is_set():
            raise PrefetchStopped
        reply: queue.SimpleQueue = queue.SimpleQueue()
        self._inbox.put((_CALL, method, args, kwargs, reply, grants_send))
        ok, value = reply.get()
        if not ok:
            raise value
        return value

    # --- the worker thread -------------------------------------------------------------
    def _work(self) -> None:
        try:
            for page in self.listing():
                if self._stopped.is_set():
                    return
                self._inbox.put((_PAGE, page))
            self._inbox.put((_DONE, None))
        except PrefetchStopped:
            return
        except BaseException as exc:
            self._inbox.put((_ERROR, exc))


@contextmanager
def prefetch(client, listing: Callable[[], Iterator[list[dict]]]):
    """`with prefetch(client, lambda: client.iter_contacts()) as pages: for page in pages:`"""
    prefetcher = Prefetcher(client, listing).start()
    try:
        yield prefetcher.pages()
    finally:
        prefetcher.close()
