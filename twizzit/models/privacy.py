"""Erased on request: the one trace a member erased under the GDPR leaves behind.

Erasing a person (`twizzit.services.privacy.erasure`) removes the player and every copy
of their personal data. What must stay is what stops the next sync from bringing them
back from Twizzit: the connection and the Twizzit contact id, nothing else (no name, no
date of birth, no e-mail). A sync skips a suppressed contact and counts it ("erased");
an admin lifts the suppression by deleting the row, and the next sync imports the
contact again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from twizzit.models.connections import TwizzitConfig


class ErasedContact(models.Model):
    """A Twizzit contact the sync must not import again: its person was erased here."""

    config = models.ForeignKey(
        TwizzitConfig,
        on_delete=models.CASCADE,
        related_name="erased_contacts",
        verbose_name="connection",
    )
    twizzit_contact_id = models.BigIntegerField("Twizzit contact id")
    erased_at = models.DateTimeField("erased", auto_now_add=True)
    # Who asked for the erasure (an admin), never the member.
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "erased contact (not imported again)"
        verbose_name_plural = "erased contacts (not imported again)"
        ordering = ["-erased_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["config", "twizzit_contact_id"], name="erasedcontact_unique"
            )
        ]

    def __str__(self):
        return f"Contact {self.twizzit_contact_id} (erased on request)"
