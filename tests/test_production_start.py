"""The production start, end to end: `bin/migrate`, `bin/web` and `bin/worker` as real processes.

With DEBUG off, on PostgreSQL and Redis, exactly as compose or systemd start them (same
scripts, only the environment differs): gunicorn serves the admin and its static files
(whitenoise: hashed names, gzip, a year's caching), a full sync started from the cockpit
runs in the worker against the sandbox over HTTP, `/health/` is 200, and once the worker
is killed `/health/` turns 503 naming the workers within the heartbeat window.

The test needs PostgreSQL (DATABASE_URL) and Redis: on a SQLite run it is skipped; under
CI=true a missing Redis fails it (tests.test_workers.redis_url).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from shotspot.models import Player
from tests.sandbox import connect
from tests.test_workers import database_url, redis_url  # noqa: F401 (a fixture)
from twizzit.models import SyncLog, SyncStatus
from twizzit.sandbox import ORGANIZATION_NAME
from twizzit.services.health import WORKER_HEARTBEAT_SECONDS

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)
WAIT = 180  # seconds any one step may take before the test gives up
ADMIN_PASSWORD = "Prod-Start-Pa55!"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """One start script in a process group of its own, its output in a file."""

    def __init__(self, script: str, env: dict, log_dir: Path):
        self.log_path = log_dir / f"{script}.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [str(BASE_DIR / "bin" / script)],
            cwd=BASE_DIR,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self._log.close()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


@pytest.fixture
def production(tmp_path, redis_url):  # noqa: F811 (the fixture imported above)
    if connection.vendor != "postgresql":
        pytest.skip("the production start is tested on PostgreSQL (set DATABASE_URL)")
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "PYTHON": sys.executable,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        # The key the test process sealed the sandbox password with.
        "TWIZZIT_ENCRYPTION_KEY": settings.TWIZZIT_ENCRYPTION_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "Q_CLUSTER_NAME": f"shotspot-prod-{uuid.uuid4().hex[:10]}",
        "Q_CLUSTER_WORKERS": "1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "STATIC_ROOT": str(tmp_path / "static"),
        "SHOTSPOT_VAR_DIR": str(tmp_path / "var"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    # The test speaks plain http to gunicorn; the HTTPS defaults are checked by
    # `check --deploy` below, with these three left at their production defaults.
    plain_http = {
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
    }
    state = {"env": env, "plain_http": plain_http, "url": f"http://127.0.0.1:{port}"}
    processes: list[Process] = []

    def start(script: str) -> Process:
        process = Process(script, {**env, **plain_http}, tmp_path)
        processes.append(process)
        return process

    state["start"] = start
    state["logs"] = lambda: "\n".join(f"--- {p.log_path.name}\n{p.output()}" for p in processes)
    try:
        yield state
    finally:
        for process in processes:
            process.stop()


def wait_for(predicate, what: str, logs, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.5)
    pytest.fail(f"Gave up after {timeout} s waiting for {what}.\n{logs()}")


def get_or_none(session: requests.Session, url: str):
    try:
        return session.get(url, timeout=10)
    except requests.ConnectionError:
        return None


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_web_and_worker_started_by_their_scripts_serve_the_admin_sync_and_report_health(
    production, sandbox, django_user_model
):
    url, env, logs = production["url"], production["env"], production["logs"]
    config = connect(sandbox)
    django_user_model.objects.create_superuser("ops", "ops@example.org", ADMIN_PASSWORD)

    migrate = subprocess.run(
        [str(BASE_DIR / "bin" / "migrate")],
        cwd=BASE_DIR,
        env={**env, **production["plain_http"]},
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert migrate.returncode == 0, migrate.stderr
    worker = production["start"]("worker")
    production["start"]("web")
    browser = requests.Session()
    wait_for(
        lambda: (r := get_or_none(browser, f"{url}/health/?check=database")) and r.ok,
        "bin/web to answer",
        logs,
    )

    # The login page and its CSS, served by the web process itself with DEBUG off.
    login = browser.get(f"{url}/admin/login/", timeout=10)
    assert login.status_code == 200
    css_path = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', login.text)
    assert css_path, "the admin's stylesheet has no hashed name"
    css = browser.get(url + css_path.group(1), headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert css.status_code == 200
    assert css.headers["Content-Type"].startswith("text/css")
    assert "max-age=315360000" in css.headers["Cache-Control"]
    assert "immutable" in css.headers["Cache-Control"]
    assert css.headers.get("Content-Encoding") == "gzip"
    assert "body" in css.text  # decoded: the stylesheet itself

    # Log in, open the cockpit (its refresh script is served too), start a full sync.
    done = browser.post(
        f"{url}/admin/login/?next=/admin/",
        data={
            "csrfmiddlewaretoken": csrf_token(login.text),
            "username": "ops",
            "password": ADMIN_PASSWORD,
        },
        timeout=10,
    )
    assert done.url == f"{url}/admin/", done.text[:500]
    cockpit = browser.get(f"{url}/admin/twizzit/twizzitconfig/{config.pk}/change/", timeout=10)
    script = re.search(r'src="(/static/twizzit/admin/refresh\.[0-9a-f]{12}\.js)"', cockpit.text)
    assert script, "the cockpit's refresh script has no hashed name"
    assert browser.get(url + script.group(1), timeout=10).status_code == 200

    confirm_url = f"{url}/admin/twizzit/twizzitconfig/{config.pk}/sync/full/"
    confirm = browser.get(confirm_url, timeout=10)
    assert "Start: Full sync" in confirm.text
    started = browser.post(
        confirm_url, data={"csrfmiddlewaretoken": csrf_token(confirm.text)}, timeout=10
    )
    assert "is queued" in started.text

    def finished():
        log = SyncLog.objects.filter(config=config).order_by("-pk").first()
        return log if log is not None and not log.is_active else None

    log = wait_for(finished, "the full sync to finish in the worker", logs)
    assert log.status == SyncStatus.SUCCESS, (log.message, logs())
    assert Player.objects.count() == len(sandbox.state.contacts)

    health = browser.get(f"{url}/health/", timeout=10)
    assert health.status_code == 200, health.text
    assert health.json()["status"] == "ok"
    assert health.json()["checks"]["workers"]["ok"] is True
    assert ORGANIZATION_NAME not in health.text
    assert sandbox.password not in health.text

    # The worker dies: within the heartbeat window /health/ says so.
    worker.kill()
    killed_at = time.monotonic()
    failing = wait_for(
        lambda: (r := browser.get(f"{url}/health/", timeout=10)).status_code == 503 and r.json(),
        "/health/ to notice the dead worker",
        logs,
        timeout=WORKER_HEARTBEAT_SECONDS + 5,
    )
    assert time.monotonic() - killed_at <= WORKER_HEARTBEAT_SECONDS
    assert failing["failing"] == ["workers"]
    assert "bin/worker" in failing["checks"]["workers"]["detail"]

    # The same environment, HTTPS defaults untouched, passes Django's deployment checklist.
    deploy = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert deploy.returncode == 0, deploy.stderr
    assert "System check identified no issues (0 silenced)." in deploy.stdout
