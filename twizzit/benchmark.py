"""Measuring a sync against the sandbox: time, calls, queries, rows written and memory.

The benchmark runs in a throw-away test database (never the developer's data) against
the sandbox Twizzit in a child process (so its memory and CPU stay out of the figures),
and measures three runs of a full sync (games included): a first sync, a re-sync with
nothing changed, and a re-sync after 1% of the contacts changed. For each it compares the
API calls spent with the minimum the page limits allow, computed from the sandbox's data
and the client's own URL batching.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from dataclasses import asdict, dataclass

import psutil
from django.db import connection, connections
from django.test import override_settings

from twizzit.client import TwizzitClient
from twizzit.connections import create_connection
from twizzit.querycount import count_queries
from twizzit.sandbox import ORGANIZATION_NAME, SandboxServer
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
            attribute = getattr(server.state, name)
            pipe.send((True, attribute(*args, **kwargs) if callable(attribute) else attribute))
        except Exception as exc:  # report it to the parent instead of dying
            pipe.send((False, repr(exc)))
    server.stop()


def minimum_calls(sandbox: SandboxProcess, *, login: bool) -> int:
    """The fewest calls a full sync of the sandbox's data can make with these page limits."""
    current = sandbox.call("current_season")["id"]
    groups = [g["id"] for g in sandbox.call("groups") if (g["season"] or {}).get("id") == current]
    links_per_group: dict[int, int] = {}
    for row in sandbox.call("group_contacts"):
        links_per_group[row["groupId"]] = links_per_group.get(row["groupId"], 0) + 1
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
    contacts = len(sandbox.call("contacts"))
    season = sandbox.call("current_season")
    events = [
        e
        for e in sandbox.call("events")
        if season["start-date"] <= e["start"][:10] <= season["end-date"]
    ]
    # The season's events, then event types and sub-types once.
    game_calls = len(events) // TwizzitClient.EVENTS_PAGE_SIZE + 1 + 2 if groups else 0
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


# The sandbox's season is fixed (2025-2026): its games are read whatever today's date is.
@override_settings(TWIZZIT_GAMES_LOOKBACK_DAYS=100_000)
def run_benchmark(*, contacts: int, groups: int, seed: int = 1, report=print) -> dict:
    """Build a throw-away database and a sandbox, measure the three runs, clean up."""
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    sandbox = SandboxProcess(seed=seed, contacts=contacts, groups=groups)
    try:
        config = create_connection(
            password=sandbox.password,
            organization_id=sandbox.organization_id,
            organization_name=ORGANIZATION_NAME,
            api_base_url=sandbox.url,
            api_username=sandbox.username,
            monthly_call_limit=1_000_000,
        )
        runs = [measure("full sync", config, sandbox, login=True)]
        report(runs[-1])
        runs.append(measure("no-change re-sync", config, sandbox, login=False))
        report(runs[-1])
        for contact in sandbox.call("contacts")[::100]:  # 1% of the contacts
            sandbox.call(
                "update_contact", contact["id"], **{"last-name": contact["last-name"] + "x"}
            )
        runs.append(measure("re-sync, 1% changed", config, sandbox, login=False))
        report(runs[-1])
        links = len(sandbox.call("group_contacts"))
    finally:
        sandbox.stop()
        connection.creation.destroy_test_db(old_name, verbosity=0)
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
