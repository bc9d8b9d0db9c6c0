"""Start-up secrets: Django's SECRET_KEY and the Twizzit encryption key.

In production both come from the environment, and a missing or malformed one stops
start-up with a message that says what to set and how to generate it. In debug, a
developer on a fresh clone should not have to think about keys: a local key file under
``var/`` is generated once (and announced once) and reused afterwards.
"""

from __future__ import annotations

import json
import re
import secrets
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

HEX_KEY = re.compile(r"^[0-9a-fA-F]{64}$")
GENERATE_HEX = "python -c 'import secrets; print(secrets.token_hex(32))'"
GENERATE_SECRET = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"  # noqa: S105 (a command, not a secret)
MIN_SECRET_KEY_LENGTH = 32


def is_hex_key(value: str) -> bool:
    """A Twizzit encryption key is 64 hex characters (256 bits)."""
    return bool(HEX_KEY.match(value or ""))


def parse_old_keys(raw: str) -> list[str]:
    """Comma-separated retired keys; each must still be a well-formed key."""
    keys = [part.strip() for part in (raw or "").split(",") if part.strip()]
    for position, key in enumerate(keys, start=1):
        if not is_hex_key(key):
            raise ImproperlyConfigured(
                f"TWIZZIT_ENCRYPTION_KEYS_OLD entry {position} is not 64 hex characters. "
                "List retired keys exactly as they were set, separated by commas."
            )
    return keys


def _dev_key_file(var_dir: Path) -> dict[str, str]:
    path = var_dir / "dev-keys.json"
    if path.exists():
        return json.loads(path.read_text())
    var_dir.mkdir(parents=True, exist_ok=True)
    keys = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "TWIZZIT_ENCRYPTION_KEY": secrets.token_hex(32),
    }
    path.write_text(json.dumps(keys, indent=2))
    path.chmod(0o600)
    print(
        f"DEBUG is on and no keys were set: generated local development keys in {path}. "
        "Never use them in production.",
        file=sys.stderr,
    )
    return keys


def resolve_keys(env: dict[str, str], *, debug: bool, var_dir: Path) -> tuple[str, str]:
    """Return (SECRET_KEY, TWIZZIT_ENCRYPTION_KEY) or refuse to start."""
    secret_key = env.get("SECRET_KEY", "")
    encryption_key = env.get("TWIZZIT_ENCRYPTION_KEY", "")

    if debug and not (secret_key and encryption_key):
        dev = _dev_key_file(var_dir)
        secret_key = secret_key or dev["SECRET_KEY"]
        encryption_key = encryption_key or dev["TWIZZIT_ENCRYPTION_KEY"]

    if len(secret_key) < MIN_SECRET_KEY_LENGTH:
        problem = "is not set" if not secret_key else "is too short"
        raise ImproperlyConfigured(
            f"SECRET_KEY {problem}: with DEBUG off it must be set to at least "
            f"{MIN_SECRET_KEY_LENGTH} random characters. Generate one with: {GENERATE_SECRET}"
        )
    if not is_hex_key(encryption_key):
        problem = "is not set" if not encryption_key else "is not 64 hex characters"
        raise ImproperlyConfigured(
            f"TWIZZIT_ENCRYPTION_KEY {problem}: it encrypts the stored Twizzit passwords and "
            f"tokens and must be 64 hex characters (256 bits). Generate one with: {GENERATE_HEX}"
        )
    return secret_key, encryption_key.lower()
