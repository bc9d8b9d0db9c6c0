"""A task queue of the test process alone, and a worker thread that empties it.

`own_queue(monkeypatch)` gives this test a queue name of its own (django-q2's cluster
name, which is also the broker's queue on the ORM broker and on Redis), so no worker of
another run on the same Redis picks up what the test queues, and nothing is left behind.
`take_queued_tasks()` removes and returns what was queued; `run_task` runs one here,
as a qcluster worker would. `BackgroundWorker` does both in a thread of the test process
for tests (the browser tests) whose syncs are queued by a live server: the sync then runs
for real, over HTTP against the sandbox, on the test database (SQLite file or PostgreSQL).
"""

from __future__ import annotations

import os
import threading
import uuid
from pydoc import locate

from django.db import connections
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.signing import SignedPackage


def own_queue(monkeypatch) -> str:
    name = f"tests-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(Conf, "CLUSTER_NAME", name)
    return name


def purge_queue() -> None:
    if not Conf.ORM:  # the ORM queue goes with the test database; Redis keeps it
        get_broker().purge_queue()


def take_queued_tasks() -> list[dict]:
    """Everything queued so far, removed from the queue: [{func, args, kwargs, ...}]."""
    broker = get_broker()
    tasks = []
    while broker.queue_size():  # (dequeue alone waits a poll interval on an empty queue)
        for task_id, payload in broker.dequeue():
            tasks.append(SignedPackage.loads(payload))
            if task_id is not None:
                broker.acknowledge(task_id)
    return tasks


def run_task(task: dict):
    """Run a queued task here, as a worker would."""
    return locate(task["func"])(*task["args"], **task["kwargs"])


class BackgroundWorker:
    """A thread that runs queued tasks until stopped; errors are kept for the test."""

    def __init__(self, poll_seconds: float = 0.2):
        self.poll_seconds = poll_seconds
        self.errors: list[BaseException] = []
        self.done: list[dict] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, name="test-worker", daemon=True)

    def start(self) -> BackgroundWorker:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _work(self) -> None:
        try:
            while not self._stop.is_set():
                for task in take_queued_tasks():
                    try:
                        run_task(task)
                    except Exception as exc:  # a failing task must not kill the worker
                        self.errors.append(exc)
                    self.done.append(task)
                self._stop.wait(self.poll_seconds)
        finally:
            connections.close_all()
