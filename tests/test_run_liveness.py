"""Runs that end in every way: killed, cut off from the database, or just slow.

A sync process killed at any moment must not block its connection for long: with default
settings the next sync is accepted within a minute, without a person or a qcluster. A
run whose database connection is cut off ends *failed* with its reason, and the CLI says
so in one line. A slow but living run keeps its connection (its heartbeat thread), and a
run whose heartbeat stopped is shown as "stale", not "running".

The killed and cut-off processes are real `manage.py` subprocesses on the test database;
the Twizzit they talk to is the sandbox, over HTTP.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from shotspot.models import Player
from twizzit.models import SyncLog, SyncStatus, SyncType, TwizzitConfig
from twizzit.services.status import connection_status
from twizzit.sync import run_sync
from twizzit.sync.runs import CREATOR_GONE, INTERRUPTED, SyncInProgress, claim, create_run

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)
WAIT = 90
ON_POSTGRES = connection.vendor == "postgresql"


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def subprocess_env() -> dict:
    """The test database, and every setting at its default (no lease override)."""
    env = {k: v for k, v in os.environ.items() if k != "TWIZZIT_SYNC_LEASE_SECONDS"}
    env.update(DATABASE_URL=database_url(), PYTHONUNBUFFERED="1")
    return env


def manage(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


def running_with_players(config) -> SyncLog | None:
    log = SyncLog.objects.filter(config=config, status=SyncStatus.RUNNING).first()
    if log and (log.progress or {}).get("processed", {}).get("players", 0) >= 100:
        return log
    return None


def cli_sync_mid_players(sandbox, config) -> tuple[subprocess.Popen, SyncLog]:
    sandbox.state.set_latency(300)  # a slow Twizzit: the blow lands mid-sync
    process = manage("twizzit_sync", "--org", str(config.organization_id))
    log = wait_for(lambda: running_with_players(config), "the CLI sync to write players")
    return process, log


# --- killed --------------------------------------------------------------------------------
def test_a_killed_cli_sync_is_followed_by_an_accepted_sync_at_once(sandbox, sandbox_config):
    process, dead = cli_sync_mid_players(sandbox, sandbox_config)
    process.kill()
    process.wait(timeout=30)
    killed_at = time.monotonic()
    sandbox.state.set_latency(0)

    rerun = run_sync(TwizzitConfig.objects.get(pk=sandbox_config.pk))

    assert rerun.status == SyncStatus.SUCCESS
    assert time.monotonic() - killed_at < 60
    dead.refresh_from_db()
    assert (dead.status, dead.message) == (SyncStatus.FAILED, INTERRUPTED)
    assert Player.objects.count() == len(sandbox.state.contacts)


def test_a_run_killed_on_another_machine_frees_its_connection_within_a_minute(
    sandbox, sandbox_config
):
    assert settings.TWIZZIT_SYNC_LEASE_SECONDS <= 30  # the default
    process, dead = cli_sync_mid_players(sandbox, sandbox_config)
    process.kill()
    process.wait(timeout=30)
    killed_at = time.monotonic()
    # Seen from another machine, the owner's pid cannot be looked up: only the lease tells.
    SyncLog.objects.filter(pk=dead.pk).update(owner="elsewhere|1|4242|1.00")
    sandbox.state.set_latency(0)
    config = TwizzitConfig.objects.get(pk=sandbox_config.pk)

    def accepted():
        try:
            return run_sync(config)
        except SyncInProgress:
            return None

    rerun = wait_for(accepted, "a sync to be accepted", timeout=60)

    assert time.monotonic() - killed_at < 60
    assert rerun.status == SyncStatus.SUCCESS
    assert SyncLog.objects.get(pk=dead.pk).status == SyncStatus.FAILED


def test_a_cli_killed_between_creating_and_claiming_its_run_blocks_nothing(sandbox_config):
    process = manage(
        "shell",
        "-c",
        "import os, signal\n"
        "from twizzit.models import TwizzitConfig\n"
        "from twizzit.sync.runs import create_run\n"
        f"config = TwizzitConfig.objects.get(pk={sandbox_config.pk})\n"
        "create_run(config, 'full', dry_run=False, trigger='cli', user=None, run_here=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n",
    )
    process.wait(timeout=WAIT)
    assert process.returncode == -signal.SIGKILL
    [orphan] = SyncLog.objects.filter(config=sandbox_config)
    assert orphan.status == SyncStatus.PENDING

    rerun = run_sync(TwizzitConfig.objects.get(pk=sandbox_config.pk))

    assert rerun.status == SyncStatus.SUCCESS
    orphan.refresh_from_db()
    assert (orphan.status, orphan.message) == (SyncStatus.FAILED, CREATOR_GONE)


# --- the database goes away ------------------------------------------------------------------
def terminate_backends(pids: list[int]) -> None:
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        autocommit=True,
    ) as other:
        for pid in pids:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.skipif(not ON_POSTGRES, reason="pg_terminate_backend is PostgreSQL's")
def test_a_run_whose_database_connection_is_terminated_ends_failed_with_a_reason(
    sandbox, sandbox_config
):
    sandbox.state.set_latency(50)
    cut = {}

    def cut_off(phase, report):
        if phase == "players" and not cut:
            cut["at"] = time.monotonic()
            terminate_backends([connection.connection.info.backend_pid])

    log = run_sync(sandbox_config, on_progress=cut_off)

    assert cut, "the connection was cut mid-sync"
    assert time.monotonic() - cut["at"] < 10
    assert log.status == SyncStatus.FAILED
    assert "database failed" in log.message and "\n" not in log.message
    assert TwizzitConfig.objects.get(pk=sandbox_config.pk).running_sync is None


@pytest.mark.skipif(not ON_POSTGRES, reason="pg_terminate_backend is PostgreSQL's")
def test_the_cli_says_in_one_line_why_a_run_lost_its_database_and_exits_1(sandbox, sandbox_config):
    process, log = cli_sync_mid_players(sandbox, sandbox_config)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        terminate_backends([pid for (pid,) in cursor.fetchall()])
    _, stderr = process.communicate(timeout=WAIT)

    assert process.returncode == 1
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1].startswith(f"CommandError: Sync #{log.pk} failed: ")
    log.refresh_from_db()
    assert log.status == SyncStatus.FAILED
    assert "database failed" in log.message


# --- slow but alive, and stale -----------------------------------------------------------
def test_a_slow_run_keeps_its_connection_while_its_heartbeat_beats(
    sandbox, sandbox_config, settings
):
    settings.TWIZZIT_SYNC_LEASE_SECONDS = 2
    sandbox.state.set_latency(2500)  # every call outlasts the lease
    finished = {}

    def sync_in_a_thread():
        try:
            finished["log"] = run_sync(sandbox_config, SyncType.PLAYERS)
        finally:
            connections.close_all()  # this thread's connection

    worker = threading.Thread(target=sync_in_a_thread)
    worker.start()
    refused = 0
    try:
        wait_for(
            lambda: SyncLog.objects.filter(status=SyncStatus.RUNNING).exists(), "the run to start"
        )
        while worker.is_alive():
            try:  # each request also reaps runs it finds dead
                create_run(sandbox_config, SyncType.FULL, dry_run=False, trigger="api", user=None)
            except SyncInProgress:
                refused += 1
                time.sleep(0.3)
            else:
                break  # the slow run has ended (or was wrongly reaped: see below)
    finally:
        worker.join(timeout=WAIT)
    assert refused >= 10  # asked again and again while calls outlasted the lease
    assert finished["log"].status == SyncStatus.SUCCESS  # a reaped run would have failed


def test_a_running_run_whose_heartbeat_stopped_is_shown_stale_with_its_age(sandbox_config):
    log = create_run(sandbox_config, SyncType.FULL, dry_run=True, trigger="cli", user=None)
    assert claim(sandbox_config, log)
    silent_for = settings.TWIZZIT_SYNC_LEASE_SECONDS + 45
    SyncLog.objects.filter(pk=log.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=silent_for)
    )

    running = connection_status(sandbox_config).running
    out = StringIO()
    call_command("twizzit_status", "--org", str(sandbox_config.organization_id), stdout=out)

    assert running.shown_status == "stale"
    assert running.dry_run is True
    assert silent_for <= round(running.heartbeat_age) < silent_for + 10
    text = out.getvalue()
    assert f"Running: preview (dry run) #{log.pk} (full), stale since" in text
    assert f"last heartbeat {round(running.heartbeat_age)} s ago" in text
    assert "Stale: its process seems to have stopped" in text
    log.refresh_from_db()
    assert str(log).startswith(f"Full preview #{log.pk} (stale, last heartbeat ")  # the admin
