"""Where a Twizzit connection row meets the HTTP client.

`client_for(config)` builds the `TwizzitClient` of a `TwizzitConfig`: the password is
opened only when a login needs it, the token is cached sealed on the connection row (so
every process and every run reuses one login while it is valid), and every call is
spent from the connection's monthly quota (`twizzit.connection.meter.ApiUsageMeter`).
"""

from __future__ import annotations

import logging
from datetime import datetime

from twizzit.client import TwizzitClient
from twizzit.connection.meter import ApiUsageMeter
from twizzit.crypto import SecretDecryptionError
from twizzit.models import TwizzitConfig

logger = logging.getLogger(__name__)

TOKEN_FIELDS = ["api_token_encrypted", "api_token_expires_at"]


class ConfigTokenStore:
    """A `TokenStore` on the connection row: the token sealed by twizzit.crypto."""

    def __init__(self, config: TwizzitConfig):
        self.config = config

    def __repr__(self) -> str:
        return f"<ConfigTokenStore org={self.config.organization_id}>"

    def load(self) -> tuple[str, datetime] | None:
        # Read the row again: another process may have logged in since this one started.
        row = TwizzitConfig.objects.filter(pk=self.config.pk).values(*TOKEN_FIELDS).first()
        if row:
            for field in TOKEN_FIELDS:
                setattr(self.config, field, row[field])
        if not self.config.api_token_encrypted or not self.config.api_token_expires_at:
            return None
        try:
            token = self.config.get_token()
        except SecretDecryptionError:
            # Sealed under a key that is gone: the token is lost, not the connection.
            logger.info(
                "The cached Twizzit token of %s cannot be opened (the key changed); "
                "logging in again.",
                self.config,
            )
            return None
        return token, self.config.api_token_expires_at

    def save(self, token: str, valid_till: datetime) -> None:
        self.config.set_token(token, valid_till)
        self.config.save(update_fields=TOKEN_FIELDS)

    def clear(self) -> None:
        self.config.clear_token()
        self.config.save(update_fields=TOKEN_FIELDS)


def client_for(config: TwizzitConfig) -> TwizzitClient:
    """The client of a connection, with its token cache and its quota meter."""
    return TwizzitClient(
        base_url=config.api_base_url,
        username=config.api_username,
        password=config.get_password,
        organization_id=config.organization_id,
        token_store=ConfigTokenStore(config),
        meter=ApiUsageMeter(config),
    )
