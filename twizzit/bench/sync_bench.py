"""Measuring a sync against the sandbox: time, calls, queries, rows written and memory.

The benchmark runs in a throw-away test database (never the developer's data) against
the sandbox Twizzit in a child process (so its memory and CPU stay out of the figures),
and measures three runs of a full sync (games included): a first sync, a re-sync with
nothing changed, and a re-sync after 1% of the contacts changed. For each it compares the
API calls spent with the minimum the page limits allow, computed from the sandbox's data
and the client's own URL batching.

With a latency (`latency_ms`), the sandbox answers each call that much later, like the
real Twizzit. The three runs are then measured twice, in two fresh databases: at zero
latency, then at the latency asked. For each run at that latency the report gives the
network floor (calls times latency: what a sync that never waits for its own database would
take), the zero-latency time (the sync's own work), and how close the wall time comes to
the larger of the two: the ratio wall / max(floor, zero-latency time). 1.0 is a sync that
hides its database work entirely behind the network, or the other way round.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from dataclasses import asdict, dataclass
from datetime import timedelta

import psutil
from django.conf import settings
from django.db import connection, connections
from django.test.utils import override_settings
from django.utils import timezone

from twizzit.bench.querycount import count_queries
from twizzit.client import TwizzitClient
from twizzit.sandbox import ORGANIZATION_NAME, SandboxServer
from twizzit.services.connections import create_connection
from twizzit.sync import run_sync


@dataclass
class RunMeasure:
    name: str
    status: str
    wall_s: float
    records: int
    records_per_s: float
    api_calls: int
    api_calls_minimum: int
    queries: int
    pages: int
    queries_per_page: float
    data_rows_written: int
    peak_rss_mb: float
    rss_growth_mb: float
    latency_ms: int = 0
    network_floor_s: float | None = None  # calls times latency
    zero_latency_s: float | None = None  # the same run without latency
    overlap_ratio: float | None = None  # wall / max(floor, zero-latency time)


class PeakMemory:
    """Samples this process's RSS in a thread; `peak` is the highest seen."""

    def __init__(self, interval: float = 0.02):
        self.process = psutil.Process(os.getpid())
        self.interval = interval
        self.start_rss = self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


class SandboxProcess:
    """The sandbox Twizzit in a child process; `call` runs a method of its state there."""

    def __init__(self, **options):
        connections.close_all()  # the child must not share this process's DB sockets
        self._pipe, child = multiprocessing.Pipe()
        context = multiprocessing.get_context("fork")
        self.process = context.Process(target=_serve, args=(child, options), daemon=True)
        self.process.start()
        self.url, self.username, self.password, self.organization_id = self._pipe.recv()

    def call(self, name: str, *args, **kwargs):
        self._pipe.send((name, args, kwargs))
        ok, value = self._pipe.recv()
        if not ok:
            raise RuntimeError(f"sandbox {name} failed: {value}")
        return value

    def stop(self) -> None:
        self._pipe.send(None)
        self.process.join(timeout=10)


def _serve(pipe, options) -> None:
    server = SandboxServer(**options).start()
    pipe.send((server.url, server.username, server.password, server.organization_id))
    while (message := pipe.recv()) is not None:
        name, args, kwargs = message
        try:
            # The benchmark's own questions are answered here, so 50,000 contacts never
            # travel to the measured process.
            if name in CHILD_HELPERS:
                pipe.send((True, CHILD_HELPERS[name](server.state, *args, **kwargs)))
                continue
            attribute = getattr(server.state, name)
            pipe.send((True, attribute(*args, **kwargs) if callable(attribute) else attribute))
        except Exception as exc:  # report it to the parent instead of dying
            pipe.send((False, repr(exc)))
    server.stop()


def _listing_sizes(state, games_from: str | None = None) -> dict:
    """What the minimum number of calls depends on (runs in the sandbox's process).

    `games_from`: the first day of the games window ("YYYY-MM-DD"), computed by the caller
    with the sync's own rule; the season's start when None.
    """
    view = state.view()  # read only: no copies of 50,000 records
    current = next(season["id"] for season in view.data.seasons if season["active"])
    groups = [g["id"] for g in view.groups if (g["season"] or {}).get("id") == current]
    return {
        "groups": groups,
        "links_per_group": {group: len(rows) for group, rows in view.links_by_group.items()},
        "contacts": len(view.contacts),
        "links": sum(len(rows) for rows in view.links_by_group.values()),
        "season_events": _season_events(view, games_from),
    }


def _season_events(view, games_from: str | None) -> int:
    """Events of the current season's games window: what the games phase lists."""
    season = next(season for season in view.data.seasons if season["active"])
    start, end = max(season["start-date"], games_from or ""), season["end-date"]
    return sum(1 for event in view.data.events if start <= event["start"][:10] <= end)


def _change_contacts(state, every: int) -> int:
    """Change the last name of every `every`-th contact (runs in the sandbox's process)."""
    contacts = state.view().contacts[::every]
    return state.update_contacts({c["id"]: {"last-name": c["last-name"] + "x"} for c in contacts})


CHILD_HELPERS = {"listing_sizes": _listing_sizes, "change_contacts": _change_contacts}


def minimum_calls(sandbox: SandboxProcess, *, login: bool) -> int:
    """The fewest calls a full sync of the sandbox's data can make with these page limits."""
    # The sync's window: TWIZZIT_GAMES_LOOKBACK_DAYS back (never before the season's start,
    # which _listing_sizes applies), so the minimum follows the calendar like the sync does.
    games_from = timezone.localdate() - timedelta(days=settings.TWIZZIT_GAMES_LOOKBACK_DAYS)
    sizes = sandbox.call("listing_sizes", games_from.isoformat())
    groups, links_per_group = sizes["groups"], sizes["links_per_group"]
    # A client that never connects: only its URL batching is used.
    batching = TwizzitClient(
        base_url=sandbox.url,
        username="-",
        password="-",  # noqa: S106
        organization_id=sandbox.organization_id,
    )
    roster_calls = sum(
        sum(links_per_group.get(group_id, 0) for group_id in batch)
        // TwizzitClient.GROUP_CONTACTS_PAGE_SIZE
        + 1
        for batch in batching.group_id_batches(sorted(groups))
    )
    contacts = sizes["contacts"]
    # The season's events, then event types and sub-types once.
    game_calls = sizes["season_events"] // TwizzitClient.EVENTS_PAGE_SIZE + 1 + 2 if groups else 0
    return (
        int(login)
        + 1  # seasons
        + 1  # group categories
        + len(groups) // TwizzitClient.GROUPS_PAGE_SIZE
        + 1
        + contacts // TwizzitClient.CONTACTS_PAGE_SIZE
        + 1
        + 1  # contact functions
        + roster_calls
        + game_calls
    )


def measure(name: str, config, sandbox: SandboxProcess, *, login: bool) -> RunMeasure:
    with PeakMemory() as memory, count_queries() as cost:
        started = time.perf_counter()
        log = run_sync(config)
        wall = time.perf_counter() - started
    records = sum(counts["fetched"] for counts in log.stats.values())
    pages = (
        log.stats["players"]["fetched"] // TwizzitClient.CONTACTS_PAGE_SIZE
        + 1
        + log.stats["teams"]["fetched"] // TwizzitClient.GROUPS_PAGE_SIZE
        + 1
        + log.stats["games"]["fetched"] // TwizzitClient.EVENTS_PAGE_SIZE
        + 1
    )
    mb = 1024 * 1024
    return RunMeasure(
        name=name,
        status=log.status,
        wall_s=round(wall, 2),
        records=records,
        records_per_s=round(records / wall) if wall else 0,
        api_calls=log.api_calls,
        api_calls_minimum=minimum_calls(sandbox, login=login),
        queries=cost.queries,
        pages=pages,
        queries_per_page=round(cost.queries / pages, 1),
        data_rows_written=cost.data_rows_written,
        peak_rss_mb=round(memory.peak / mb, 1),
        rss_growth_mb=round((memory.peak - memory.start_rss) / mb, 1),
    )


def run_benchmark(
    *, contacts: int, groups: int, seed: int = 1, latency_ms: int = 0, report=print
) -> dict:
    """Measure the three runs at zero latency and, if asked, again at `latency_ms`."""
    # As in production: with DEBUG on, Django would keep the text of every query. The
    # sandbox's current season is the one holding today, so the games window is a real one.
    with override_settings(DEBUG=False):
        return _run_benchmark(contacts, groups, seed, latency_ms, report)


def _run_benchmark(contacts: int, groups: int, seed: int, latency_ms: int, report) -> dict:
    runs, links = measure_runs(contacts, groups, seed, latency_ms=0, report=report)
    result = summary(contacts, groups, links, runs)
    if latency_ms:
        zero_by_name = {run.name: run for run in runs}

        def compare(run: RunMeasure) -> None:
            zero = zero_by_name[run.name]
            run.network_floor_s = round(run.api_calls * latency_ms / 1000, 2)
            run.zero_latency_s = zero.wall_s
            run.overlap_ratio = round(run.wall_s / max(run.network_floor_s, zero.wall_s), 2)
            report(run)

        slow, _ = measure_runs(contacts, groups, seed, latency_ms=latency_ms, report=compare)
        result["latency_ms"] = latency_ms
        result["latency_runs"] = [asdict(run) for run in slow]
        result["peak_rss_mb"] = max(result["peak_rss_mb"], *(run.peak_rss_mb for run in slow))
    return result


def measure_runs(contacts, groups, seed, *, latency_ms: int, report) -> tuple[list, int]:
    """Build a throw-away database and a sandbox, measure the three runs, clean up."""
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    sandbox = SandboxProcess(seed=seed, contacts=contacts, groups=groups)
    runs: list[RunMeasure] = []

    def measured(name: str, *, login: bool) -> None:
        run = measure(name, config, sandbox, login=login)
        run.latency_ms = latency_ms
        runs.append(run)
        report(run)

    try:
        config = create_connection(
            password=sandbox.password,
            organization_id=sandbox.organization_id,
            organization_name=ORGANIZATION_NAME,
            api_base_url=sandbox.url,
            api_username=sandbox.username,
            monthly_call_limit=1_000_000,
        )
        sandbox.call("set_latency", latency_ms)
        measured("full sync", login=True)
        measured("no-change re-sync", login=False)
        sandbox.call("change_contacts", 100)  # 1% of the contacts
        measured("re-sync, 1% changed", login=False)
        links = sandbox.call("listing_sizes")["links"]
    finally:
        sandbox.stop()
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return runs, links


def summary(contacts: int, groups: int, links: int, runs: list[RunMeasure]) -> dict:
    full, resync, changed_run = runs
    return {
        "contacts": contacts,
        "groups": groups,
        "roster_links_total": links,
        "database": connection.vendor,
        "cpu_count": os.cpu_count(),
        "full_sync_s": full.wall_s,
        "resync_s": resync.wall_s,
        "changed_resync_s": changed_run.wall_s,
        "resync_rows_written": resync.data_rows_written,
        "changed_resync_rows_written": changed_run.data_rows_written,
        "api_calls": full.api_calls,
        "api_calls_minimum": full.api_calls_minimum,
        "peak_rss_mb": max(run.peak_rss_mb for run in runs),
        "sync_rss_growth_mb": max(run.rss_growth_mb for run in runs),
        "runs": [asdict(run) for run in runs],
    }
