"""Is the process behind a run still alive? Its identity, and the heartbeat it keeps.

A run is held by a process: the CLI that runs a sync itself, or the qcluster worker that
took the task. Two signs tell a live run from a dead one:

- **The heartbeat.** While a run lives, a thread of its process renews the connection's
  lease and the SyncLog's `heartbeat_at` every third of TWIZZIT_SYNC_LEASE_SECONDS, on a
  database connection of its own, whatever the run's main thread is doing (waiting on a
  slow Twizzit call, writing a large page). A process that is killed stops beating, and
  its lease runs out within TWIZZIT_SYNC_LEASE_SECONDS wherever it ran.
- **The owner.** The SyncLog records which process holds it (`owner`: host name and pid
  namespace, boot time, pid and the process's start time). On the same machine and in
  the same pid namespace, a process that is gone (or a pid reused by another process, or
  a zombie) is known to be dead at once, without waiting for the lease: the next claim
  fails the run immediately.

A run started inside a caller's open transaction (a test's, or code that wraps a sync in
`atomic`) gets no heartbeat thread: another connection could not see its rows. Its page
checkpoints still renew the lease.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

import psutil
from django.conf import settings
from django.db import DatabaseError, connection, connections
from django.utils import timezone

logger = logging.getLogger(__name__)

SEPARATOR = "|"


def lease_window() -> timedelta:
    return timedelta(seconds=settings.TWIZZIT_SYNC_LEASE_SECONDS)


def _host() -> str:
    """This machine and pid namespace: only there does a pid name the same process."""
    try:
        # Containers sharing a host name (host networking) still differ in pid namespace.
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return f"{socket.gethostname()}/{namespace}{SEPARATOR}{int(psutil.boot_time())}"


def process_identity(pid: int | None = None) -> str:
    """`host|boot time|pid|start time` of this process (or of `pid`)."""
    pid = os.getpid() if pid is None else pid
    started = psutil.Process(pid).create_time()
    return f"{_host()}{SEPARATOR}{pid}{SEPARATOR}{started:.2f}"


def owner_is_gone(owner: str) -> bool:
    """True only when `owner` is a process of this machine that no longer runs.

    An owner on another machine (or an empty or unreadable one) is never judged here:
    the lease decides for those.
    """
    parts = owner.split(SEPARATOR) if owner else []
    if len(parts) != 4 or SEPARATOR.join(parts[:2]) != _host():
        return False
    try:
        pid, started = int(parts[2]), parts[3]
    except ValueError:
        return False
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return True
        return f"{process.create_time():.2f}" != started  # the pid now names another process
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:
        return False  # cannot tell (e.g. access denied): the lease decides


class Heartbeat:
    """A daemon thread that keeps one run's lease and heartbeat fresh while it lives."""

    def __init__(self, config_id: int, log_id: int):
        self.config_id = config_id
        self.log_id = log_id
        self.interval = max(settings.TWIZZIT_SYNC_LEASE_SECONDS / 3, 0.5)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Heartbeat:
        if connection.in_atomic_block:
            return self  # the run's rows are invisible to another connection
        self._thread = threading.Thread(
            target=self._run, name=f"twizzit-heartbeat-{self.log_id}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval + 30)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                if not self.beat():
                    return
        finally:
            connections.close_all()  # this thread's own connections

    def beat(self) -> bool:
        """Renew the lease once; False when the run no longer holds its connection."""
        from twizzit.models import SyncLog, SyncStatus, TwizzitConfig

        now = timezone.now()
        try:
            held = TwizzitConfig.objects.filter(
                pk=self.config_id, running_sync_id=self.log_id
            ).update(lease_expires_at=now + lease_window())
            if held:
                SyncLog.objects.filter(pk=self.log_id, status=SyncStatus.RUNNING).update(
                    heartbeat_at=now
                )
            return bool(held)
        except DatabaseError as exc:
            # The next beat tries again on a fresh connection; the lease has room for it.
            logger.warning("Heartbeat of sync #%s missed: %s", self.log_id, type(exc).__name__)
            connection.close()
            return True
