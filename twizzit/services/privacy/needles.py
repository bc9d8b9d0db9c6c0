"""The values by which a stored text names a person: what erasure searches for.

A copy of a player's data may sit in free text (a mail body, a task's result, a
preview's label) where no foreign key points at it. Erasure finds those copies by the
person's own values: full name both ways round, e-mail, phone, registration number and
date of birth, as written and as HTML escapes them (a mail's HTML body).
"""

from __future__ import annotations

from django.utils.html import escape

from shotspot.models import Player

# Shorter values (a two-digit registration number) would match unrelated text.
MIN_LENGTH = 4


def needles(player: Player) -> list[str]:
    """Distinct, lower-cased values that name `player` in text."""
    first, last = player.first_name.strip(), player.last_name.strip()
    values = [
        f"{first} {last}",
        f"{last} {first}",
        f"{last}, {first}",
        player.email,
        player.phone,
        player.registration_number,
        player.date_of_birth.isoformat() if player.date_of_birth else "",
    ]
    found = []
    for value in values:
        value = (value or "").strip().lower()
        for variant in (value, str(escape(value))):
            if len(variant) >= MIN_LENGTH and variant not in found:
                found.append(variant)
    return found


def names_any(text: str, values: list[str]) -> bool:
    text = text.lower()
    return any(value in text for value in values)
