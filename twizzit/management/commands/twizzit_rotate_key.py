"""Re-encrypt every stored Twizzit secret with the current TWIZZIT_ENCRYPTION_KEY."""

from django.core.management.base import BaseCommand, CommandError

from twizzit.crypto import SecretDecryptionError
from twizzit.services.connections import rotate_encryption_key


class Command(BaseCommand):
    help = (
        "Re-encrypt stored Twizzit passwords and tokens with the current key. Set the new "
        "key as TWIZZIT_ENCRYPTION_KEY and the old one in TWIZZIT_ENCRYPTION_KEYS_OLD first."
    )

    def handle(self, *args, **options):
        try:
            rotated = rotate_encryption_key()
        except SecretDecryptionError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Re-encrypted {rotated} stored secrets with the current key.")
