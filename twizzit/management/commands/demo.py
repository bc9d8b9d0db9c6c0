"""`make run`: the whole project on one machine, from a fresh clone, in one command.

    manage.py demo [--addr 127.0.0.1:8000] [--sandbox-port 8765]

It migrates the database, creates the demo admin (debug only: the login is printed),
starts the Twizzit sandbox with generated club data and points the sandbox
organisation's connection at it, then runs a qcluster (the background workers and the
scheduler) and the web server as child processes. Ctrl-C (or SIGTERM, or closing the
terminal) stops them all: each child is asked to stop, then killed with its process
group if it has not within a few seconds; on Linux a child also gets SIGTERM should this
process die without cleaning up. If a child dies on its own, the others are stopped too.
docs/demo.md walks a newcomer through the first ten minutes.

The welcome banner prints ready-to-paste lines with the ports this run was given, and
the same values go to `var/demo.env` (`SHOTSPOT_URL`, `SANDBOX_URL`, `ORG`, `DEBUG`), so
the commands in the README and docs/demo.md work after `source var/demo.env` whatever
ports `make run` used.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from twizzit.management.commands.twizzit_sandbox import register_sandbox_connection
from twizzit.sandbox import SandboxServer

DEMO_USER = "admin"
DEMO_PASSWORD = "shotspot-demo"  # noqa: S105 (the debug-only demo login, printed on purpose)
STOP_GRACE_SECONDS = 15
STARTUP_TIMEOUT_SECONDS = 60
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Command(BaseCommand):
    help = "Migrate, start the Twizzit sandbox, a qcluster and the web server; Ctrl-C stops all."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="where the web server listens")
        parser.add_argument("--sandbox-port", type=int, default=8765)

    def handle(self, *args, **options):
        addr = options["addr"]
        host, _, port = addr.rpartition(":")
        call_command("migrate", interactive=False, verbosity=0)
        stop = threading.Event()
        for signum in STOP_SIGNALS:
            signal.signal(signum, lambda *_: stop.set())
        # The links in notification mails (printed by the qcluster) point at this server.
        os.environ.setdefault("SITE_URL", f"http://{addr}")
        # Children first: no thread may run while they are forked (see die_with_parent).
        children = {
            "qcluster": start_child("qcluster"),
            "web server": start_child("runserver", addr, "--noreload"),
        }
        sandbox = SandboxServer(
            seed=1, contacts=300, groups=24, messy=True, port=options["sandbox_port"]
        )
        failed = None
        try:
            self.start_sandbox(sandbox, options["sandbox_port"])
            config, _ = register_sandbox_connection(sandbox)
            self.wait_for_web_server(host or "127.0.0.1", int(port), children, stop)
            self.welcome(addr, sandbox, config)
            failed = wait_for_stop_or_death(children, stop)
            if failed:
                self.stderr.write(f"The {failed} stopped on its own; stopping the rest.")
        finally:
            self.stdout.write("Stopping the web server, the qcluster and the sandbox…")
            for name, child in children.items():
                stop_child(name, child, self.stderr)
            sandbox.stop()
        self.stdout.write("Stopped.")
        if failed:
            raise CommandError("A child process died; see its output above.")

    def start_sandbox(self, sandbox: SandboxServer, port: int) -> None:
        try:
            sandbox.start()
        except OSError as exc:
            raise CommandError(
                f"The Twizzit sandbox cannot listen on 127.0.0.1:{port} ({exc.strerror}); "
                "pick another port: make run SANDBOX_PORT=8766"
            ) from None

    def wait_for_web_server(self, host, port, children, stop) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline and not stop.is_set():
            if any(child.poll() is not None for child in children.values()):
                return  # reported by wait_for_stop_or_death
            with contextlib.suppress(OSError), socket.create_connection((host, port), 1):
                return
            time.sleep(0.2)

    def welcome(self, addr, sandbox, config) -> None:
        lines = ["", f"ShotSpot ⇄ Twizzit demo is running: http://{addr}/admin/"]
        if settings.DEBUG:
            ensure_demo_user()
            lines.append(f"  Log in as {DEMO_USER!r} with password {DEMO_PASSWORD!r} (debug only).")
        org = config.organization_id
        manage = ".venv/bin/python manage.py"
        env_file = write_demo_env(f"http://{addr}", sandbox.url, org)
        lines += [
            f"  Twizzit sandbox: {sandbox.url} (controls: {sandbox.url}/_sandbox/), "
            f"connection {config}",
            # Other shells need DEBUG too, to use the demo's development keys.
            f"  In another terminal, in this directory:  source {env_file}",
            f"    (it sets DEBUG=true, SHOTSPOT_URL=http://{addr}, "
            f"SANDBOX_URL={sandbox.url}, ORG={org})",
            f"    sync in the background:  {manage} twizzit_sync --org {org} --async",
            f"    see how it went:         {manage} twizzit_status --org {org}",
            f"    the sandbox's controls:  curl -s {sandbox.url}/_sandbox/",
            "  A ten-minute tour: docs/demo.md.  Ctrl-C stops everything.",
            "",
        ]
        self.stdout.write("\n".join(lines))


def write_demo_env(shotspot_url: str, sandbox_url: str, org: int) -> str:
    """var/demo.env: this run's addresses, for `source` in another terminal.

    Returns the path to print: relative to the project when it lies inside it.
    """
    path = settings.VAR_DIR / "demo.env"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Written by `make run` (manage.py demo) for this run; `source` it in another terminal.\n"
        "export DEBUG=true\n"
        f"export SHOTSPOT_URL={shotspot_url}\n"
        f"export SANDBOX_URL={sandbox_url}\n"
        f"export ORG={org}\n"
    )
    try:
        return str(path.relative_to(settings.BASE_DIR))
    except ValueError:
        return str(path)


def ensure_demo_user() -> None:
    users = get_user_model().objects
    if not users.filter(username=DEMO_USER).exists():
        users.create_superuser(DEMO_USER, "admin@example.com", DEMO_PASSWORD)


def start_child(*args: str) -> subprocess.Popen:
    """`manage.py ARGS` in a process group of its own, sharing this terminal's output."""
    return subprocess.Popen(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        start_new_session=True,
        preexec_fn=die_with_parent if sys.platform == "linux" else None,
    )


def die_with_parent() -> None:
    """In the child, before exec: ask Linux for a SIGTERM when the parent dies."""
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def wait_for_stop_or_death(children: dict, stop: threading.Event) -> str | None:
    """Block until a stop signal (None) or until a child exits (its name)."""
    while not stop.wait(0.5):
        for name, child in children.items():
            if child.poll() is not None:
                return name
    return None


def stop_child(name: str, child: subprocess.Popen, stderr) -> None:
    if child.poll() is None:
        # The group leader only: qcluster's sentinel stops its own workers.
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            stderr.write(f"The {name} did not stop in {STOP_GRACE_SECONDS} s; killing it.")
    # Anything left in its group (a worker in the middle of a task) goes too.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)
    child.wait()
