"""Secrets at rest: the Twizzit password and the cached API token.

Each value is sealed with AES-256-GCM (authenticated: a flipped bit is detected, never
decrypted to garbage) under a fresh random 96-bit nonce, and stored as

    v1$<key id>$<base64url(nonce + ciphertext + tag)>

The key id (the first 8 hex characters of the key's SHA-256) names the key that sealed
the value, so a key can rotate: values sealed under a key listed in
TWIZZIT_ENCRYPTION_KEYS_OLD still open, and `manage.py twizzit_rotate_key` re-seals them
under the current key. The value's purpose ("password", "token") is bound as associated
data, so a sealed token cannot be passed off as a password.

A value that cannot be opened raises `SecretDecryptionError` where the secret is used;
there is no plaintext fallback.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

VERSION = "v1"
NONCE_BYTES = 12


class SecretDecryptionError(Exception):
    """A stored secret cannot be opened with the configured keys."""

    def __init__(self, purpose: str, reason: str):
        self.purpose = purpose
        self.reason = reason
        super().__init__(
            f"the stored Twizzit {purpose} cannot be decrypted with the configured key "
            f"({reason}). Set TWIZZIT_ENCRYPTION_KEY to the key it was stored with or list "
            f"that key in TWIZZIT_ENCRYPTION_KEYS_OLD; otherwise enter the {purpose} again."
        )


def key_id(hex_key: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_key)).hexdigest()[:8]


def _current_key() -> str:
    return settings.TWIZZIT_ENCRYPTION_KEY


def _keyring() -> dict[str, bytes]:
    keys = [_current_key(), *settings.TWIZZIT_ENCRYPTION_KEYS_OLD]
    return {key_id(key): bytes.fromhex(key) for key in keys}


def encrypt(plaintext: str, *, purpose: str) -> str:
    """Seal `plaintext` under the current key."""
    current = _current_key()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(bytes.fromhex(current)).encrypt(
        nonce, plaintext.encode("utf-8"), purpose.encode("ascii")
    )
    payload = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
    return f"{VERSION}${key_id(current)}${payload}"


def decrypt(stored: str, *, purpose: str) -> str:
    """Open a value sealed by `encrypt`, with the current key or a retired one."""
    try:
        version, kid, payload = stored.split("$", 2)
        blob = base64.urlsafe_b64decode(payload.encode("ascii"))
    except (ValueError, AttributeError):
        raise SecretDecryptionError(purpose, "the stored value is not an encrypted value") from None
    if version != VERSION or len(blob) <= NONCE_BYTES:
        raise SecretDecryptionError(purpose, "the stored value is not an encrypted value")
    key = _keyring().get(kid)
    if key is None:
        raise SecretDecryptionError(purpose, f"it was stored with key id {kid}, which is not set")
    try:
        plain = AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], purpose.encode())
    except InvalidTag:
        raise SecretDecryptionError(purpose, "the stored value was altered") from None
    return plain.decode("utf-8")


def needs_rotation(stored: str) -> bool:
    """True when the value was sealed with a key other than the current one."""
    parts = (stored or "").split("$", 2)
    return len(parts) == 3 and parts[1] != key_id(_current_key())


def reencrypt(stored: str, *, purpose: str) -> str:
    """Open with whichever key sealed it and seal again under the current key."""
    return encrypt(decrypt(stored, purpose=purpose), purpose=purpose)
