import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.conftest import CLUB_PASSWORD, NEW_KEY, OLD_KEY
from twizzit import crypto
from twizzit.crypto import SecretDecryptionError
from twizzit.models import TwizzitConfig


def test_round_trip_returns_the_original_secret():
    sealed = crypto.encrypt("pässwörd ✓", purpose="password")
    assert crypto.decrypt(sealed, purpose="password") == "pässwörd ✓"


def test_each_encryption_uses_a_fresh_nonce_and_never_contains_the_plaintext():
    first = crypto.encrypt(CLUB_PASSWORD, purpose="password")
    second = crypto.encrypt(CLUB_PASSWORD, purpose="password")
    assert first != second
    assert CLUB_PASSWORD not in first


def test_a_sealed_token_cannot_be_opened_as_a_password():
    sealed = crypto.encrypt("jwt", purpose="token")
    with pytest.raises(SecretDecryptionError, match="altered"):
        crypto.decrypt(sealed, purpose="password")


def test_tampered_value_raises_the_clear_error():
    sealed = crypto.encrypt(CLUB_PASSWORD, purpose="password")
    version, kid, payload = sealed.split("$")
    flipped = payload[:-4] + ("A" if payload[-4] != "A" else "B") + payload[-3:]
    with pytest.raises(SecretDecryptionError) as excinfo:
        crypto.decrypt(f"{version}${kid}${flipped}", purpose="password")
    message = str(excinfo.value)
    assert message.startswith(
        "the stored Twizzit password cannot be decrypted with the configured key"
    )
    assert CLUB_PASSWORD not in message


def test_plaintext_in_the_column_is_refused_not_used():
    with pytest.raises(SecretDecryptionError, match="not an encrypted value"):
        crypto.decrypt(CLUB_PASSWORD, purpose="password")


def test_wrong_key_raises_the_clear_error_where_the_password_is_used(config):
    with override_settings(TWIZZIT_ENCRYPTION_KEY=NEW_KEY, TWIZZIT_ENCRYPTION_KEYS_OLD=[]):
        config.refresh_from_db()
        with pytest.raises(SecretDecryptionError) as excinfo:
            config.get_password()
    assert "cannot be decrypted with the configured key" in str(excinfo.value)
    assert "TWIZZIT_ENCRYPTION_KEYS_OLD" in str(excinfo.value)


@pytest.mark.django_db
def test_old_key_still_decrypts_and_rotation_reseals_under_the_new_key(capsys):
    with override_settings(TWIZZIT_ENCRYPTION_KEY=OLD_KEY, TWIZZIT_ENCRYPTION_KEYS_OLD=[]):
        config = TwizzitConfig(
            organization_id=7,
            organization_name="Old",
            api_username="u",
            api_base_url="https://x.be",
        )
        config.set_password(CLUB_PASSWORD)
        config.set_token("cached-token", None)
        config.save()

    with override_settings(TWIZZIT_ENCRYPTION_KEY=NEW_KEY, TWIZZIT_ENCRYPTION_KEYS_OLD=[OLD_KEY]):
        config.refresh_from_db()
        assert config.get_password() == CLUB_PASSWORD
        assert crypto.needs_rotation(config.api_password_encrypted)

        call_command("twizzit_rotate_key")
        assert "Re-encrypted 2 stored secrets" in capsys.readouterr().out

    # After rotation the old key is no longer needed.
    with override_settings(TWIZZIT_ENCRYPTION_KEY=NEW_KEY, TWIZZIT_ENCRYPTION_KEYS_OLD=[]):
        config.refresh_from_db()
        assert config.get_password() == CLUB_PASSWORD
        assert config.get_token() == "cached-token"
        call_command("twizzit_rotate_key")
        assert "Re-encrypted 0 stored secrets" in capsys.readouterr().out
