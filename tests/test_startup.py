"""Start-up refuses to run in production without proper keys, and says how to fix it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_SECRET = "s" * 50
GOOD_KEY = "12" * 32


def start(tmp_path, **env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "TWIZZIT_ENCRYPTION_KEY"}}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", SHOTSPOT_VAR_DIR=str(tmp_path))
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_encryption_key_refuses_and_says_how_to_generate(tmp_path):
    result = start(tmp_path, DEBUG="false", SECRET_KEY=GOOD_SECRET)
    assert result.returncode != 0
    assert "TWIZZIT_ENCRYPTION_KEY is not set" in result.stderr
    assert "secrets.token_hex(32)" in result.stderr


def test_production_with_malformed_encryption_key_refuses(tmp_path):
    result = start(tmp_path, DEBUG="false", SECRET_KEY=GOOD_SECRET, TWIZZIT_ENCRYPTION_KEY="abc")
    assert result.returncode != 0
    assert "TWIZZIT_ENCRYPTION_KEY is not 64 hex characters" in result.stderr


def test_production_without_secret_key_refuses(tmp_path):
    result = start(tmp_path, DEBUG="false", TWIZZIT_ENCRYPTION_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_with_both_keys_starts(tmp_path):
    result = start(tmp_path, DEBUG="false", SECRET_KEY=GOOD_SECRET, TWIZZIT_ENCRYPTION_KEY=GOOD_KEY)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("value", ["zz" * 32, GOOD_KEY + ",short"])
def test_malformed_old_key_list_refuses(tmp_path, value):
    old = value if "," not in value else value.split(",", 1)[1]
    result = start(
        tmp_path,
        DEBUG="false",
        SECRET_KEY=GOOD_SECRET,
        TWIZZIT_ENCRYPTION_KEY=GOOD_KEY,
        TWIZZIT_ENCRYPTION_KEYS_OLD=old,
    )
    assert result.returncode != 0
    assert "TWIZZIT_ENCRYPTION_KEYS_OLD entry 1" in result.stderr


def test_debug_generates_a_local_key_file_once_and_reuses_it(tmp_path):
    first = start(tmp_path, DEBUG="true")
    assert first.returncode == 0, first.stderr
    assert "generated local development keys" in first.stderr
    assert (tmp_path / "dev-keys.json").exists()
    second = start(tmp_path, DEBUG="true")
    assert second.returncode == 0
    assert "generated" not in second.stderr
