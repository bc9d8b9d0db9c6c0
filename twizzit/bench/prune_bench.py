"""Does pruning old personal data slow a running sync? (`manage.py privacy_bench`)

In a throw-away test database, against the sandbox Twizzit in a child process: plant
`old_entries` sync-log entries (errors and planned changes) on runs older than the
retention period, and as many on recent runs; sync once to fill ShotSpot. Then, for each
round, a re-sync after some contacts changed is timed twice: alone, and with
`retention.prune` running at the same time in another process (as the janitor runs in a
django-q worker of its own, with its own database connection). Between the two the old entries are
planted again, so both syncs see the same tables. After each pruning round the bench
checks that every old entry is gone and every recent one is still there.

The figure that matters is the change of the sync's median time with pruning beside it;
the issue asks for less than 10 %. The machine's load (os.getloadavg) is printed with it,
since other processes share the CPU.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import time
from datetime import timedelta

from django.db import connection, connections
from django.test.utils import override_settings
from django.utils import timezone

from twizzit.bench.sync_bench import SandboxProcess
from twizzit.models import SyncLog, SyncStatus
from twizzit.sandbox import ORGANIZATION_NAME
from twizzit.services.connections import create_connection
from twizzit.services.privacy import retention
from twizzit.sync import run_sync


def _entries(n: int) -> tuple[list, list]:
    half = n // 2
    errors = [
        {"entity": "players", "twizzit_id": 9_000_000 + i, "message": "old entry", "level": "error"}
        for i in range(n - half)
    ]
    planned = [
        {"entity": "players", "twizzit_id": 9_000_000 + i, "action": "update", "label": "Old"}
        for i in range(half)
    ]
    return errors, planned


def _plant_runs(config, runs: int, per_run: int, age_days: int) -> list[int]:
    errors, planned = _entries(per_run)
    rows = [
        SyncLog(
            config=config,
            sync_type="full",
            status=SyncStatus.SUCCESS,
            dry_run=True,
            stats={"players": {"fetched": 1}},
            errors=errors,
            planned_changes=planned,
        )
        for _ in range(runs)
    ]
    created = SyncLog.objects.bulk_create(rows, batch_size=1000)
    ids = [row.pk for row in created] or list(
        SyncLog.objects.filter(config=config, dry_run=True)
        .order_by("-pk")
        .values_list("pk", flat=True)[:runs]
    )
    SyncLog.objects.filter(pk__in=ids).update(created_at=timezone.now() - timedelta(days=age_days))
    return ids


def _entry_count(ids) -> int:
    total = 0
    for errors, planned in SyncLog.objects.filter(pk__in=ids).values_list(
        "errors", "planned_changes"
    ):
        total += len(errors) + len(planned)
    return total


class PruneProcess:
    """`retention.prune()` in a child process, as the janitor runs in a worker of its own."""

    def __init__(self):
        connections.close_all()  # the child must not share this process's DB sockets
        self._pipe, child = multiprocessing.Pipe()
        context = multiprocessing.get_context("fork")
        self.process = context.Process(target=_prune_child, args=(child,), daemon=True)
        self.process.start()

    def join(self) -> dict:
        result = self._pipe.recv()
        self.process.join(timeout=30)
        return result


def _prune_child(pipe) -> None:
    try:
        started = time.perf_counter()
        report = retention.prune()
        pipe.send(
            {
                "prune_s": round(time.perf_counter() - started, 2),
                "pruned_runs": report.removed["sync_logs"],
            }
        )
    except Exception as exc:  # reported to the parent, not lost in the child
        pipe.send({"error": repr(exc)})
    finally:
        connections.close_all()


def run_benchmark(
    *,
    contacts: int = 3000,
    groups: int = 100,
    old_entries: int = 200_000,
    entries_per_run: int = 10,
    rounds: int = 3,
    change_every: int = 10,
    report=print,
) -> dict:
    with override_settings(DEBUG=False, TWIZZIT_GAMES_LOOKBACK_DAYS=100_000):
        return _run(contacts, groups, old_entries, entries_per_run, rounds, change_every, report)


def _run(contacts, groups, old_entries, per_run, rounds, change_every, report) -> dict:
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    sandbox = SandboxProcess(seed=1, contacts=contacts, groups=groups)
    try:
        config = create_connection(
            password=sandbox.password,
            organization_id=sandbox.organization_id,
            organization_name=ORGANIZATION_NAME,
            api_base_url=sandbox.url,
            api_username=sandbox.username,
            monthly_call_limit=1_000_000,
        )
        runs = max(old_entries // per_run, 1)
        started = time.perf_counter()
        old_ids = _plant_runs(config, runs, per_run, age_days=400)
        new_ids = _plant_runs(config, runs, per_run, age_days=1)
        planted = _entry_count(old_ids)
        report(
            f"Planted {planted} old entries on {len(old_ids)} runs and {_entry_count(new_ids)} "
            f"recent ones, in {time.perf_counter() - started:.1f} s"
        )
        first = run_sync(config)
        report(f"First full sync: {first.status}, {(first.duration_ms or 0) / 1000:.1f} s")
        errors, planned = _entries(per_run)
        alone, beside, prunes = [], [], []
        for number in range(1, rounds + 1):
            for with_prune in (False, True):
                SyncLog.objects.filter(pk__in=old_ids).update(
                    errors=errors, planned_changes=planned
                )
                sandbox.call("change_contacts", change_every)
                pruning = PruneProcess() if with_prune else None
                began = time.perf_counter()
                log = run_sync(config)
                wall = time.perf_counter() - began
                if pruning is not None:
                    result = pruning.join()
                    if "error" in result:
                        raise RuntimeError(f"prune failed: {result['error']}")
                    left_old, kept_new = _entry_count(old_ids), _entry_count(new_ids)
                    if left_old or kept_new != planted:
                        raise RuntimeError(
                            f"prune left {left_old} old entries, kept {kept_new} of {planted} new"
                        )
                    prunes.append(result["prune_s"])
                    beside.append(wall)
                    report(
                        f"Round {number}: sync with prune {wall:.2f} s ({log.status}); prune "
                        f"{result['prune_s']:.2f} s, {result['pruned_runs']} runs emptied, "
                        f"0 old entries left, {kept_new} recent kept"
                    )
                else:
                    alone.append(wall)
                    report(f"Round {number}: sync alone {wall:.2f} s ({log.status})")
        median_alone, median_beside = statistics.median(alone), statistics.median(beside)
        summary = {
            "database": connection.vendor,
            "contacts": contacts,
            "old_entries": planted,
            "old_runs": len(old_ids),
            "sync_alone_s": [round(x, 2) for x in alone],
            "sync_with_prune_s": [round(x, 2) for x in beside],
            "prune_s": prunes,
            "median_alone_s": round(median_alone, 2),
            "median_with_prune_s": round(median_beside, 2),
            "change_percent": round((median_beside / median_alone - 1) * 100, 1),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "cpu_count": os.cpu_count(),
        }
    finally:
        sandbox.stop()
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return summary
