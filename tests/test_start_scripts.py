"""The start scripts refuse a bad environment in one line, before anything starts.

`bin/web`, `bin/worker` and `bin/migrate` are what every way of deploying runs; each checks
its environment first (`shotspot.preflight`) and exits with code 78 and one line on stderr
that says what to set. Run as real processes with an environment of their own.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
EX_CONFIG = 78


def run(script: str, tmp_path: Path, **env) -> subprocess.CompletedProcess:
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "PYTHON": sys.executable,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SHOTSPOT_VAR_DIR": str(tmp_path / "var"),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "TWIZZIT_ENCRYPTION_KEY": secrets.token_hex(32),
        "ALLOWED_HOSTS": "shotspot.example.org",
    }
    base.update(env)
    return subprocess.run(
        [str(BASE_DIR / "bin" / script)],
        cwd=tmp_path,  # the scripts find the project themselves
        env={k: v for k, v in base.items() if v is not None},
        capture_output=True,
        text=True,
        timeout=120,
    )


def refusal(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == EX_CONFIG, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("script", ["web", "worker", "migrate"])
def test_a_missing_secret_key_is_refused_in_one_line_by_every_script(tmp_path, script):
    line = refusal(run(script, tmp_path, SECRET_KEY=None))
    assert line.startswith(f"bin/{script}: refusing to start: SECRET_KEY is not set")
    assert "secrets.token_urlsafe(50)" in line


def test_a_missing_encryption_key_is_refused_with_how_to_generate_one(tmp_path):
    line = refusal(run("worker", tmp_path, TWIZZIT_ENCRYPTION_KEY=None))
    assert line.startswith("bin/worker: refusing to start: TWIZZIT_ENCRYPTION_KEY is not set")
    assert "secrets.token_hex(32)" in line


@pytest.mark.parametrize("value", ["", " , ", None])
def test_an_empty_or_missing_allowed_hosts_is_refused(tmp_path, value):
    line = refusal(run("web", tmp_path, ALLOWED_HOSTS=value))
    assert line.startswith("bin/web: refusing to start: ALLOWED_HOSTS is not set")


def test_a_short_secret_key_is_refused_as_too_short(tmp_path):
    line = refusal(run("web", tmp_path, SECRET_KEY="short-key"))
    assert "SECRET_KEY is too short" in line


def test_a_long_but_weak_secret_key_is_refused_by_djangos_own_check(tmp_path):
    line = refusal(run("web", tmp_path, SECRET_KEY="a" * 60))
    assert "security.W009" in line


def test_an_encryption_key_that_is_not_64_hex_characters_is_refused(tmp_path):
    line = refusal(run("migrate", tmp_path, TWIZZIT_ENCRYPTION_KEY="not-hex"))
    assert "TWIZZIT_ENCRYPTION_KEY is not 64 hex characters" in line


def test_debug_on_is_refused_and_no_development_keys_are_written(tmp_path):
    line = refusal(run("web", tmp_path, DEBUG="true", SECRET_KEY=None))
    assert "DEBUG is on" in line
    assert not (tmp_path / "var" / "dev-keys.json").exists()


def test_no_secret_appears_in_a_refusal(tmp_path):
    key = secrets.token_urlsafe(50)
    result = run("web", tmp_path, SECRET_KEY=key, TWIZZIT_ENCRYPTION_KEY="zz" * 32)
    refusal(result)
    assert key not in result.stderr
    assert "zz" * 32 not in result.stderr


def test_bin_migrate_brings_an_empty_database_to_the_schema_with_the_janitors_schedule(tmp_path):
    result = run("migrate", tmp_path)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        names = [row[0] for row in db.execute("SELECT name FROM django_q_schedule")]
    assert names == ["twizzit-janitor"]
