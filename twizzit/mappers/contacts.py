"""Twizzit contact → ShotSpot Player fields.

A Twizzit contact is a club member. Its shape carries traces of a web form: three email
slots and three mobile slots that are always present (an unused one is
`{"target": null, "email": ""}`), a separate country code per phone number, and empty
strings where another API would send null. This module picks the one value ShotSpot keeps
for each field and refuses values that would store something wrong: an impossible birth
date, a malformed email address, a jersey number no shirt carries.
"""

from __future__ import annotations

import re
from typing import Any

from twizzit.mappers.base import (
    Mapped,
    MappingError,
    flag,
    is_int,
    iso_date,
    record_hash,
    record_id,
    text,
)

# Player's column sizes (shotspot.models.Player); tests hold these equal to the model.
MAX_LENGTHS = {
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 40,
    "registration_number": 50,
}
GENDERS = {"M": "male", "F": "female", "X": "other"}
UNKNOWN_GENDER = "unknown"
JERSEY_NUMBERS = range(0, 1000)

EMAIL_SLOTS = ("email-1", "email-2", "email-3")
# Mobiles first: a player is reached on the move, the landline is the family's.
PHONE_SLOTS = ("mobile-1", "mobile-2", "mobile-3", "phone")

# Loose on purpose: catches typing accidents ("jan@", "jan.be", "jan@gmail..com") without
# judging addresses that mail servers accept.
EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
PHONE_SEPARATORS = re.compile(r"[\s./\-()]")
DIGITS = re.compile(r"[0-9]+")
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


def map_contact(record: dict) -> Mapped:
    """Map one contact record to Player fields; `MappingError` if it cannot be stored."""
    contact_id = record_id(record, "contact")
    label = f"contact {contact_id}"
    first_name, last_name = _names(record, label)
    return Mapped(
        twizzit_id=contact_id,
        fields={
            "first_name": first_name,
            "last_name": last_name,
            "date_of_birth": iso_date(record.get("date-of-birth"), label=f"{label} date-of-birth"),
            "gender": _gender(record.get("gender")),
            "jersey_number": _jersey_number(record.get("number"), label=f"{label} number"),
            "email": _email(record, label),
            "phone": _phone(record, label),
            "registration_number": text(
                record.get("registry-number"),
                label=f"{label} registry-number",
                max_length=MAX_LENGTHS["registration_number"],
            ),
            "has_profile_image": flag(
                record.get("has-profile-image"), label=f"{label} has-profile-image"
            ),
        },
        refs={},
        hash=record_hash(record),
    )


def _names(record: dict, label: str) -> tuple[str, str]:
    first_name = text(
        record.get("first-name"), label=f"{label} first-name", max_length=MAX_LENGTHS["first_name"]
    )
    last_name = text(
        record.get("last-name"), label=f"{label} last-name", max_length=MAX_LENGTHS["last_name"]
    )
    if first_name or last_name:
        return first_name, last_name
    # Some contacts only carry the full name; its first word is the given name, because
    # Belgian surnames are the ones with several words ("Van den Broeck").
    words = text(record.get("name"), label=f"{label} name").split()
    if not words:
        raise MappingError(f"{label} has no name")
    first_name, last_name = words[0], " ".join(words[1:])
    for field_name, value, source in (
        ("first_name", first_name, "first word of name"),
        ("last_name", last_name, "rest of name"),
    ):
        if len(value) > MAX_LENGTHS[field_name]:
            raise MappingError(
                f"{label} {source} is {len(value)} characters long; "
                f"ShotSpot keeps at most {MAX_LENGTHS[field_name]}"
            )
    return first_name, last_name


def _gender(value: Any) -> str:
    if isinstance(value, str):
        return GENDERS.get(value.strip().upper(), UNKNOWN_GENDER)
    return UNKNOWN_GENDER


def _jersey_number(value: Any, *, label: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if is_int(value):
        number = value
    elif isinstance(value, str) and WHOLE_NUMBER.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        raise MappingError(f"{label} is not a whole number")
    if number not in JERSEY_NUMBERS:
        raise MappingError(f"{label} {number} is outside 0 to 999")
    return number


def _slot(record: dict, slot_name: str, label: str) -> dict:
    slot = record.get(slot_name)
    if slot is None:
        return {}
    if not isinstance(slot, dict):
        raise MappingError(f"{label} {slot_name} is not a Twizzit contact slot")
    return slot


def _email(record: dict, label: str) -> str:
    for slot_name in EMAIL_SLOTS:
        address = text(
            _slot(record, slot_name, label).get("email"),
            label=f"{label} {slot_name}",
            max_length=MAX_LENGTHS["email"],
        )
        if address:
            if not EMAIL.fullmatch(address):
                raise MappingError(f"{label} {slot_name} is not a valid email address")
            return address
    return ""


def _phone(record: dict, label: str) -> str:
    for slot_name in PHONE_SLOTS:
        slot = _slot(record, slot_name, label)
        number = text(slot.get("number"), label=f"{label} {slot_name}")
        digits = PHONE_SEPARATORS.sub("", number)
        if not digits:
            continue
        phone = _format_phone(slot.get("cc"), digits, label=f"{label} {slot_name}")
        if len(phone) > MAX_LENGTHS["phone"]:
            raise MappingError(
                f"{label} {slot_name} is {len(phone)} characters long; "
                f"ShotSpot keeps at most {MAX_LENGTHS['phone']}"
            )
        return phone
    return ""


def _format_phone(cc: Any, digits: str, *, label: str) -> str:
    """`+{cc}{digits}`, or the national digits when Twizzit gives no country code."""
    if digits.startswith("+") and DIGITS.fullmatch(digits[1:]):
        # Typed in full international form; the number already says its country.
        return digits
    if not DIGITS.fullmatch(digits):
        raise MappingError(f"{label} has an invalid phone number")
    country = text(cc, label=f"{label} cc", max_length=10).lstrip("+").lstrip("0")
    if not country:
        # cc "0", "" or null: Twizzit's way of saying "a national number"; its leading 0
        # is part of how that number is dialled, so it stays.
        return digits
    if not DIGITS.fullmatch(country):
        raise MappingError(f"{label} has an invalid country code")
    # The national trunk 0 is not dialled after a country code: 0470 … → +32 470 …
    national = digits[1:] if digits.startswith("0") else digits
    return f"+{country}{national}"
