"""Production settings pass Django's deployment checklist (`manage.py check --deploy`).

Each check runs `manage.py` in a subprocess with an environment of its own, the way the
service starts in production: DEBUG off, real keys, a host name, and nothing else, so
every HTTPS setting is at its default.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def production_env(**extra) -> dict:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "SHOTSPOT_VAR_DIR": os.environ.get("SHOTSPOT_VAR_DIR", str(BASE_DIR / "var")),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "TWIZZIT_ENCRYPTION_KEY": secrets.token_hex(32),
        "ALLOWED_HOSTS": "shotspot.example.org",
        **extra,
    }


def manage(*args: str, **extra) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=production_env(**extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


def setting_values(*names: str, **extra) -> dict:
    script = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}))"
    )
    done = manage("shell", "-c", script, **extra)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_settings_pass_check_deploy_without_a_warning():
    done = manage("check", "--deploy", "--fail-level", "WARNING")

    assert done.returncode == 0, done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout
    assert "WARNING" not in done.stderr


def test_with_debug_off_https_is_on_by_default():
    values = setting_values(
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
    )
    assert values == {
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_a_tls_proxy_header_and_the_hsts_age_come_from_the_environment():
    values = setting_values(
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https",
        SECURE_HSTS_SECONDS="3600",
    )
    assert values == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_HSTS_SECONDS": 3600,
    }
