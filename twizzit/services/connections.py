"""Connection services: create, change, remove Twizzit connections and rotate their keys.

The CLI, the admin and the REST API all go through these functions, so a connection is
validated the same way wherever it is made (`full_clean` runs the model's validators,
including the https rule), and secrets are sealed in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from twizzit import crypto
from twizzit.models import (
    PASSWORD,
    TOKEN,
    ClubMapping,
    PlayerMapping,
    SeasonMapping,
    TeamMapping,
    TwizzitConfig,
)
from twizzit.sync.runs import SyncInProgress, active_run

MAPPING_MODELS = {
    "players": PlayerMapping,
    "teams": TeamMapping,
    "seasons": SeasonMapping,
    "clubs": ClubMapping,
}


def create_connection(*, password: str, **fields) -> TwizzitConfig:
    """Validate and save a new connection; `password` is sealed, never stored plain."""
    if not password:
        raise ValidationError({"api_password": "The Twizzit password is required."})
    config = TwizzitConfig(**fields)
    config.set_password(password)
    config.full_clean()
    config.save()
    return config


# Where the stored password goes and whose it is: changing either needs it typed again.
CREDENTIAL_TARGET_FIELDS = ("api_base_url", "api_username")
PASSWORD_AGAIN = (
    "Enter the Twizzit password again to change the {fields}: the stored password and "  # noqa: S105
    "token are never sent to a new address or for another account."
)


def retargeted_fields(config: TwizzitConfig, fields: dict) -> list[str]:
    """The credential-target fields that `fields` would change on the saved connection."""
    if config.pk is None:
        return []
    saved = (
        TwizzitConfig.objects.filter(pk=config.pk).values(*CREDENTIAL_TARGET_FIELDS).first() or {}
    )
    return [
        name
        for name in CREDENTIAL_TARGET_FIELDS
        if name in fields and saved and fields[name] != saved[name]
    ]


def password_again_error(changed: list[str]) -> ValidationError:
    names = " and ".join(name.removeprefix("api_").replace("_", " ") for name in changed)
    return ValidationError({"api_password": PASSWORD_AGAIN.format(fields=names)})


def update_connection(config: TwizzitConfig, *, password: str | None = None, **fields):
    """Change fields (and the password, when one is given) after validating them.

    Changing the base URL or the username needs the password in the same change (else
    `ValidationError` on `api_password`): whoever may edit a connection must not be able
    to re-point it at a server of their choosing and collect the stored password. The
    cached token goes with any such change.
    """
    changed = retargeted_fields(config, fields)
    if changed and not password:
        raise password_again_error(changed)
    for name, value in fields.items():
        setattr(config, name, value)
    if password:
        config.set_password(password)  # also drops the cached token
    config.full_clean()
    config.save()
    return config


@dataclass(frozen=True)
class RemovedConnection:
    organization_id: int
    mappings_removed: dict[str, int]

    @property
    def total_mappings(self) -> int:
        return sum(self.mappings_removed.values())


@transaction.atomic
def delete_connection(config: TwizzitConfig) -> RemovedConnection:
    """Delete a connection with its mappings, logs and conflicts; ShotSpot rows stay.

    Refused with `SyncInProgress` while a sync of the connection is pending or running:
    its worker would go on writing mappings for a connection that no longer exists.
    """
    locked = TwizzitConfig.objects.select_for_update().get(pk=config.pk)
    active = active_run(locked)
    if active is not None:
        raise SyncInProgress(locked, active)
    counts = {
        name: model.objects.filter(config=config).count() for name, model in MAPPING_MODELS.items()
    }
    organization_id = config.organization_id
    config.delete()
    return RemovedConnection(organization_id=organization_id, mappings_removed=counts)


def rotate_encryption_key() -> int:
    """Re-seal every stored secret under the current key; returns how many changed.

    Each connection is re-sealed in its own transaction with its row locked, so a
    concurrent token refresh cannot be overwritten by a stale copy.
    """
    rotated = 0
    for pk in TwizzitConfig.objects.values_list("pk", flat=True):
        with transaction.atomic():
            config = TwizzitConfig.objects.select_for_update().get(pk=pk)
            changed = []
            for field, purpose in (
                ("api_password_encrypted", PASSWORD),
                ("api_token_encrypted", TOKEN),
            ):
                stored = getattr(config, field)
                if stored and crypto.needs_rotation(stored):
                    setattr(config, field, crypto.reencrypt(stored, purpose=purpose))
                    changed.append(field)
            if changed:
                config.save(update_fields=changed)
                rotated += len(changed)
    return rotated
