"""client_for: a connection's client reuses one sealed login across clients and processes.

Over real HTTP against the sandbox (tests/sandbox.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.test import override_settings

from tests.conftest import OLD_KEY
from twizzit import crypto
from twizzit.connection.gateway import ConfigTokenStore, client_for
from twizzit.crypto import SecretDecryptionError
from twizzit.models import PASSWORD, TwizzitConfig


@pytest.fixture
def connection(sandbox_config):
    return sandbox_config


def reload(config: TwizzitConfig) -> TwizzitConfig:
    """The row as another process would load it."""
    return TwizzitConfig.objects.get(pk=config.pk)


def test_the_token_is_sealed_on_the_connection_and_reused_by_the_next_run(sandbox, connection):
    client_for(connection).seasons()

    stored = reload(connection)
    token, valid_till = ConfigTokenStore(stored).load()
    assert stored.api_token_encrypted.startswith("v1$")
    assert token not in stored.api_token_encrypted
    assert timedelta(minutes=29) < valid_till - datetime.now(UTC) <= timedelta(minutes=30)

    next(client_for(reload(connection)).iter_contacts())

    assert sandbox.state.calls()["authenticate"] == 1


def test_a_login_by_another_process_is_picked_up_instead_of_logging_in_again(sandbox, connection):
    loaded_early, other_process = reload(connection), reload(connection)
    client_for(other_process).seasons()

    client_for(loaded_early).seasons()

    assert sandbox.state.calls()["authenticate"] == 1
    assert sandbox.state.calls()["seasons"] == 2


def test_a_token_sealed_under_a_key_no_longer_configured_counts_as_absent(sandbox, connection):
    with override_settings(
        TWIZZIT_ENCRYPTION_KEY=OLD_KEY,
        TWIZZIT_ENCRYPTION_KEYS_OLD=[settings.TWIZZIT_ENCRYPTION_KEY],
    ):
        ConfigTokenStore(connection).save(
            "sealed-under-old-key", datetime.now(UTC) + timedelta(hours=1)
        )

    assert ConfigTokenStore(reload(connection)).load() is None
    client_for(reload(connection)).seasons()

    assert sandbox.state.calls()["authenticate"] == 1
    assert ConfigTokenStore(reload(connection)).load() is not None


def test_the_password_is_opened_only_when_a_login_is_needed(sandbox, connection):
    client_for(connection).seasons()
    with override_settings(TWIZZIT_ENCRYPTION_KEY=OLD_KEY):
        sealed_under_lost_key = crypto.encrypt(sandbox.password, purpose=PASSWORD)
    TwizzitConfig.objects.filter(pk=connection.pk).update(
        api_password_encrypted=sealed_under_lost_key
    )

    assert client_for(reload(connection)).seasons()  # the cached token still serves

    sandbox.state.expire_tokens()
    with pytest.raises(SecretDecryptionError):
        client_for(reload(connection)).seasons()
    assert sandbox.state.calls()["authenticate"] == 1
