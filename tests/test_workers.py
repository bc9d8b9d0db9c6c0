"""Syncs run by real qcluster processes, on the ORM broker and on Redis.

Each test starts `manage.py qcluster` subprocesses on the test database (DATABASE_URL)
under a cluster name of its own (Q_CLUSTER_NAME), so tasks left in a shared Redis by
other runs are never picked up. Tasks are enqueued from subprocesses too
(`twizzit_sync --async`): django-q2 reads its configuration (broker, cluster name) once at
import, so this test process cannot enqueue for another broker or cluster name.
The Twizzit they talk to is the sandbox, over HTTP. Every wait is bounded, and every
cluster is killed (its whole process group) when the test ends, whatever happened.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import psutil
import pytest
import redis
import requests
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_q.models import OrmQ, Schedule, Task

from tests.sandbox import connect
from twizzit import tasks
from twizzit.models import (
    ConflictType,
    EntityType,
    PlayerMapping,
    Resolution,
    SyncConflict,
    SyncLog,
    SyncStatus,
    TeamMapping,
    TwizzitConfig,
)
from twizzit.sync.runs import INTERRUPTED

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
WAIT = 120  # seconds: the longest any step may take before the test gives up
SCHEDULER_WAIT = 120  # the cluster's scheduler looks for due schedules about every 30 s
TEST_LEASE_SECONDS = 4
NOT_STARTED = "Another sync of this connection was running; this one did not start."


# --- processes -----------------------------------------------------------------------------
def database_url() -> str:
    """The test database, as the subprocesses must open it."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Cluster:
    """One `manage.py qcluster` in a process group of its own."""

    def __init__(self, env: dict, log_dir: Path, label: str):
        self.log_path = log_dir / f"qcluster-{label}.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=BASE_DIR,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL the whole cluster at once: sentinel, pusher, workers, monitor."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            # To the sentinel only: it stops its own workers (a SIGTERM to the whole
            # group makes them die under it and the sentinel waits for them in vain).
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        # Whatever is left of the group (a worker mid-task) goes too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self._log.close()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


class Jobs:
    """The environment the clusters and enqueuing commands of one test share."""

    def __init__(self, tmp_path: Path, redis_url: str | None = None):
        self.name = f"shotspot-test-{uuid.uuid4().hex[:10]}"
        self.tmp_path = tmp_path
        self.env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
        self.env.update(
            DATABASE_URL=database_url(),
            Q_CLUSTER_NAME=self.name,
            Q_CLUSTER_WORKERS="2",
            PYTHONUNBUFFERED="1",
        )
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        self.clusters: list[Cluster] = []

    def start_cluster(self) -> Cluster:
        cluster = Cluster(self.env, self.tmp_path, f"{len(self.clusters) + 1}")
        self.clusters.append(cluster)
        return cluster

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=WAIT,
        )

    def enqueue_sync(self, org: int = 1001) -> int:
        """`twizzit_sync --org ORG --async --json`; returns the pending SyncLog's id."""
        done = self.manage("twizzit_sync", "--org", str(org), "--async", "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)["id"]

    def enqueue_task(self, func: str, *args) -> None:
        code = (
            "from django_q.tasks import async_task\n"
            f"for args in {[list(a) for a in args]!r}:\n"
            f"    async_task({func!r}, *args)\n"
        )
        done = self.manage("shell", "-c", code)
        assert done.returncode == 0, done.stderr

    def wait_for(self, predicate, what: str, timeout: float = WAIT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            time.sleep(0.2)
        logs = "\n".join(f"--- {c.log_path.name}\n{c.output()}" for c in self.clusters)
        pytest.fail(f"Gave up after {timeout} s waiting for {what}.\n{logs}")

    def wait_until_finished(self, *log_ids: int, timeout: float = WAIT) -> list[SyncLog]:
        def finished():
            logs = list(SyncLog.objects.filter(pk__in=log_ids).order_by("pk"))
            done = len(logs) == len(log_ids) and not any(log.is_active for log in logs)
            return logs if done else None

        return self.wait_for(finished, f"sync(s) {log_ids} to finish", timeout)

    def stop(self) -> None:
        for cluster in self.clusters:
            cluster.stop()


@pytest.fixture
def jobs(tmp_path):
    """Clusters on the ORM broker (even when the suite runs with REDIS_URL set)."""
    jobs = Jobs(tmp_path)
    try:
        yield jobs
    finally:
        jobs.stop()


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    try:
        redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        reason = f"Redis at {url} is not reachable ({exc})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; under CI=true the Redis broker must be tested.")
        pytest.skip(f"{reason}; outside CI the Redis broker test is skipped.")
    return url


@pytest.fixture
def redis_jobs(tmp_path, redis_url):
    jobs = Jobs(tmp_path, redis_url=redis_url)
    client = redis.Redis.from_url(redis_url)
    try:
        yield jobs, client
    finally:
        jobs.stop()
        client.delete(f"django_q:{jobs.name}:q")


def assert_synced_once(config, sandbox) -> None:
    """Every contact and every team of this season is in ShotSpot, exactly once."""
    assert PlayerMapping.objects.filter(config=config).count() == len(sandbox.state.contacts)
    assert PlayerMapping.objects.filter(config=config).values("player").distinct().count() == len(
        sandbox.state.contacts
    )
    current = sandbox.state.current_season["id"]
    teams = [g for g in sandbox.state.groups if g["season"] and g["season"]["id"] == current]
    assert TeamMapping.objects.filter(config=config).count() == len(teams)


# --- a sync from enqueue to finish -----------------------------------------------------------
def test_a_worker_runs_an_enqueued_sync_on_the_orm_broker(jobs, sandbox, sandbox_config):
    log_id = jobs.enqueue_sync()
    assert OrmQ.objects.count() == 1  # the task waits in the database queue
    jobs.start_cluster()

    [log] = jobs.wait_until_finished(log_id)

    assert (log.status, log.trigger) == (SyncStatus.SUCCESS, "cli")
    assert log.stats["players"]["created"] == len(sandbox.state.contacts)
    assert_synced_once(sandbox_config, sandbox)
    sandbox_config.refresh_from_db()
    assert sandbox_config.running_sync is None
    assert sandbox_config.last_sync_at is not None


@pytest.mark.redis
def test_a_worker_runs_an_enqueued_sync_on_redis(redis_jobs, sandbox, sandbox_config):
    jobs, client = redis_jobs
    log_id = jobs.enqueue_sync()
    assert client.llen(f"django_q:{jobs.name}:q") == 1  # the task waits in Redis...
    assert OrmQ.objects.count() == 0  # ...not in the database
    jobs.start_cluster()

    [log] = jobs.wait_until_finished(log_id)

    assert log.status == SyncStatus.SUCCESS
    assert_synced_once(sandbox_config, sandbox)
    assert client.llen(f"django_q:{jobs.name}:q") == 0


# --- one run at a time -----------------------------------------------------------------------
def test_two_sync_requests_at_once_start_one_sync_and_refuse_the_other(
    jobs, sandbox, sandbox_config
):
    command = [sys.executable, "manage.py", "twizzit_sync", "--org", "1001", "--async", "--json"]
    requests = [
        subprocess.Popen(
            command, cwd=BASE_DIR, env=jobs.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    answers = [request.communicate(timeout=WAIT) for request in requests]
    codes = sorted(request.returncode for request in requests)

    assert codes == [0, 2]
    accepted = next(out for (out, _), r in zip(answers, requests, strict=True) if r.returncode == 0)
    refused = next(err for (_, err), r in zip(answers, requests, strict=True) if r.returncode == 2)
    assert b"already in progress" in refused
    jobs.start_cluster()
    [log] = jobs.wait_until_finished(json.loads(accepted)["id"])
    assert log.status == SyncStatus.SUCCESS
    assert SyncLog.objects.count() == 1


def test_two_workers_racing_for_one_connection_sync_it_once(jobs, sandbox, sandbox_config):
    # Two pending runs of one connection, as if two requests had both passed the
    # "nothing in progress" check: the claim is what stops the second.
    sandbox.state.set_latency(150)  # long enough that both workers start while one runs
    first, second = (
        SyncLog.objects.create(config=sandbox_config, sync_type="full", trigger="api")
        for _ in range(2)
    )
    jobs.start_cluster()
    jobs.start_cluster()
    jobs.enqueue_task("twizzit.tasks.run_sync_task", [first.pk], [second.pk])

    logs = jobs.wait_until_finished(first.pk, second.pk)

    assert sorted(log.status for log in logs) == [SyncStatus.FAILED, SyncStatus.SUCCESS]
    assert next(log for log in logs if log.status == SyncStatus.FAILED).message == NOT_STARTED
    assert_synced_once(sandbox_config, sandbox)


def test_a_sync_whose_worker_was_killed_is_marked_interrupted_and_a_rerun_completes(
    jobs, sandbox, sandbox_config, settings
):
    settings.TWIZZIT_SYNC_LEASE_SECONDS = TEST_LEASE_SECONDS
    jobs.env["TWIZZIT_SYNC_LEASE_SECONDS"] = str(TEST_LEASE_SECONDS)
    sandbox.state.set_latency(400)  # a slow Twizzit: the kill lands mid-sync
    cluster = jobs.start_cluster()
    log_id = jobs.enqueue_sync()

    def some_players_written():
        log = SyncLog.objects.get(pk=log_id)
        processed = (log.progress or {}).get("processed", {})
        return log.status == SyncStatus.RUNNING and processed.get("players", 0) >= 100

    jobs.wait_for(some_players_written, "the sync to have written its first players")
    cluster.kill()
    assert PlayerMapping.objects.filter(config=sandbox_config).count() < len(sandbox.state.contacts)

    def heartbeat_older_than_lease():
        log = SyncLog.objects.get(pk=log_id)
        return timezone.now() - log.heartbeat_at > timedelta(seconds=TEST_LEASE_SECONDS)

    jobs.wait_for(heartbeat_older_than_lease, "the dead run's lease to run out", timeout=60)
    assert tasks.janitor()["interrupted"] == 1
    interrupted = SyncLog.objects.get(pk=log_id)
    assert (interrupted.status, interrupted.message) == (SyncStatus.FAILED, INTERRUPTED)
    assert TwizzitConfig.objects.get(pk=sandbox_config.pk).running_sync is None

    sandbox.state.set_latency(0)
    jobs.start_cluster()
    [rerun] = jobs.wait_until_finished(jobs.enqueue_sync())

    assert rerun.status == SyncStatus.SUCCESS
    assert_synced_once(sandbox_config, sandbox)


# --- bulk conflict resolution ---------------------------------------------------------------
def test_a_worker_resolves_conflicts_in_bulk_and_reports_those_it_could_not(jobs, config):
    pending = [
        SyncConflict.objects.create(
            config=config,
            entity_type=EntityType.PLAYER,
            twizzit_id=twizzit_id,
            conflict_type=ConflictType.DELETED_IN_TWIZZIT,
        )
        for twizzit_id in (1, 2)
    ]
    decided = SyncConflict.objects.create(
        config=config,
        entity_type=EntityType.PLAYER,
        twizzit_id=3,
        conflict_type=ConflictType.DELETED_IN_TWIZZIT,
        resolution=Resolution.TWIZZIT_WINS,
    )
    ids = [c.pk for c in [*pending, decided]]
    done = jobs.manage(
        "shell",
        "-c",
        f"from twizzit.services.jobs import enqueue_conflict_resolution as enqueue; "
        f"print(enqueue({ids!r}, 'ignored'))",
    )
    assert done.returncode == 0, done.stderr
    task_id = done.stdout.strip().splitlines()[-1]
    jobs.start_cluster()

    task = jobs.wait_for(lambda: Task.objects.filter(id=task_id).first(), "the bulk task")

    assert task.success
    assert sorted(task.result["resolved"]) == sorted(c.pk for c in pending)
    assert [failure["id"] for failure in task.result["failed"]] == [decided.pk]
    assert set(
        SyncConflict.objects.filter(pk__in=[c.pk for c in pending]).values_list(
            "resolution", flat=True
        )
    ) == {Resolution.IGNORED}


# --- schedules ------------------------------------------------------------------------------
def make_due(config) -> None:
    Schedule.objects.filter(name=f"twizzit-sync-{config.pk}").update(
        next_run=timezone.now() - timedelta(minutes=1)
    )


def test_connections_due_at_once_are_synced_one_after_another_by_the_cluster(
    jobs, sandbox, sandbox_config
):
    sandbox.state.set_latency(50)
    refused = connect(sandbox, organization_id=2002, organization_name="KC Elders")
    disabled = connect(sandbox, organization_id=2003, organization_name="KC Dormant")
    for config in (sandbox_config, refused, disabled):
        make_due(config)
    disabled.sync_enabled = False
    disabled.save()  # its schedule goes: it must not fire
    jobs.start_cluster()

    def both_finished():
        logs = list(SyncLog.objects.filter(trigger="schedule").order_by("started_at"))
        return logs if len(logs) == 2 and not any(log.is_active for log in logs) else None

    logs = jobs.wait_for(both_finished, "both scheduled syncs to finish", SCHEDULER_WAIT)

    by_config = {log.config_id: log for log in logs}
    assert by_config[sandbox_config.pk].status == SyncStatus.SUCCESS
    assert by_config[refused.pk].status == SyncStatus.FAILED
    assert "2002" in by_config[refused.pk].message
    assert logs[0].completed_at <= logs[1].started_at  # one after another
    assert not SyncLog.objects.filter(config=disabled).exists()
    assert_synced_once(sandbox_config, sandbox)
    for config in (sandbox_config, refused):
        schedule = Schedule.objects.get(name=f"twizzit-sync-{config.pk}")
        assert schedule.next_run > timezone.now()  # the scheduler set the next day's run


# --- the demo ------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_demo_serves_the_admin_and_ctrl_c_stops_every_process(tmp_path):
    port, sandbox_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(SHOTSPOT_VAR_DIR=str(tmp_path), DEBUG="true", PYTHONUNBUFFERED="1")
    for key in ("SECRET_KEY", "TWIZZIT_ENCRYPTION_KEY"):  # a fresh clone has none
        env.pop(key, None)
    output = (tmp_path / "demo.log").open("wb")
    command = ["manage.py", "demo", "--addr", f"127.0.0.1:{port}", "--sandbox-port"]
    demo = subprocess.Popen(
        [sys.executable, *command, str(sandbox_port)],
        cwd=BASE_DIR,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    children = []
    try:
        deadline = time.monotonic() + WAIT
        while b"Ctrl-C stops everything" not in (tmp_path / "demo.log").read_bytes():
            assert demo.poll() is None, (tmp_path / "demo.log").read_text()
            assert time.monotonic() < deadline, "the demo did not start"
            time.sleep(0.2)
        children = psutil.Process(demo.pid).children(recursive=True)
        commands = {" ".join(child.cmdline()[1:3]) for child in children}
        login = requests.get(f"http://127.0.0.1:{port}/admin/login/", timeout=10)

        os.killpg(demo.pid, signal.SIGINT)  # what Ctrl-C in its terminal does
        assert demo.wait(timeout=WAIT) == 0
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
        for child in children:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
        output.close()

    printed = (tmp_path / "demo.log").read_text()
    assert login.status_code == 200
    assert "Log in as 'admin' with password 'shotspot-demo'" in printed
    assert "KBKB Sandbox Club (1001)" in printed
    # The ports this run was given, ready to paste and in a file for `source`.
    assert f"SANDBOX_URL=http://127.0.0.1:{sandbox_port}" in printed
    demo_env = (tmp_path / "demo.env").read_text()
    assert f"export SHOTSPOT_URL=http://127.0.0.1:{port}\n" in demo_env
    assert f"export SANDBOX_URL=http://127.0.0.1:{sandbox_port}\n" in demo_env
    assert {"manage.py qcluster", "manage.py runserver"} <= commands
    assert not [child.pid for child in children if alive(child)]


def alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
