"""Twizzit contact → ShotSpot Player fields.

A Twizzit contact is a club member. Its shape carries traces of a web form: three email
slots and three mobile slots that are always present (an unused one is
`{"target": null, "email": ""}`), a separate country code per phone number, and empty
strings where another API would send null. This module picks the one value ShotSpot keeps
for each field.

Volunteers type this data by hand, so typos, notes in phone fields and impossible dates
are everyday data. A value ShotSpot's rules refuse costs its field, never the player: the
field is listed in `Mapped.refused` with the rule (never the value) and left out of
`fields`, and the rest of the contact is synced. Only a contact without an integer id or
without any name cannot become a player.

E-mail addresses are judged by email-validator (RFC 6531: a UTF-8 local part and an IDN
domain are valid) and stored as typed, trimmed; phone numbers are read by phonenumbers
(Belgian by default, any usual spelling, a trailing note) and stored in E.164.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import phonenumbers
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

from twizzit.mappers.base import (
    Mapped,
    MappingError,
    ValueRefused,
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
# A number without a country code is dialled in Belgium: Twizzit is the Belgian federation's.
HOME_REGION = "BE"

# The everyday address (ASCII dot-atom, letters-and-digits domain, an alphabetic TLD) is
# valid under any reading of RFC 5321: it skips email-validator, which costs ten times
# as much and would make a first sync of a big club a second slower. Everything else
# (accents, IDN, quoted parts, xn-- labels, special-use domains) is judged by the library.
EVERYDAY_ADDRESS = re.compile(
    r"[A-Za-z0-9_%+-]{1,64}(?:\.[A-Za-z0-9_%+-]+)*@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
)
SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)
# What separates two addresses typed into one slot.
ADDRESS_SEPARATORS = re.compile(r"[\s,;/]+")
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
PLAIN_NUMBER = re.compile(r"\+?[0-9][0-9 ./()-]*")
DIGITS = re.compile(r"[0-9]+")

# The rules, as the run's log says them ("contact 12 email is not a valid address").
NOT_AN_ADDRESS = "is not a valid address"
NOT_A_PHONE = "is not a phone number ShotSpot can read"


def map_contact(record: dict) -> Mapped:
    """Map one contact to Player fields; a refused value costs its field, not the contact.

    `MappingError` only when the contact cannot be identified (no integer id, not an
    object) or has no name at all.
    """
    contact_id = record_id(record, "contact")
    label = f"contact {contact_id}"
    fields: dict[str, Any] = {}
    refused: dict[str, str] = {}
    notes: list[str] = []

    def read(name: str, reader: Callable[[], Any]) -> None:
        try:
            fields[name] = reader()
        except ValueRefused as exc:
            refused[name] = exc.rule

    _names(record, label, fields, refused)
    read("date_of_birth", lambda: iso_date(record.get("date-of-birth"), label=label))
    fields["gender"] = _gender(record.get("gender"))
    read("jersey_number", lambda: _jersey_number(record.get("number"), label=label))
    read("email", lambda: _email(record, label, notes))
    read("phone", lambda: _phone(record, label, notes))
    read(
        "registration_number",
        lambda: text(
            record.get("registry-number"),
            label=label,
            max_length=MAX_LENGTHS["registration_number"],
        ),
    )
    read("has_profile_image", lambda: flag(record.get("has-profile-image"), label=label))
    return Mapped(
        twizzit_id=contact_id,
        fields=fields,
        refs={},
        hash=record_hash(record),
        refused=refused,
        notes=tuple(notes),
    )


def _names(record: dict, label: str, fields: dict, refused: dict) -> None:
    """First and last name; a refused one is left out, but some name must remain."""
    for name, key in (("first_name", "first-name"), ("last_name", "last-name")):
        try:
            fields[name] = text(record.get(key), label=label, max_length=MAX_LENGTHS[name])
        except ValueRefused as exc:
            refused[name] = exc.rule
    if fields.get("first_name") or fields.get("last_name"):
        return
    # Some contacts only carry the full name; its first word is the given name, because
    # Belgian surnames are the ones with several words ("Van den Broeck").
    try:
        words = text(record.get("name"), label=f"{label} name").split()
    except ValueRefused:
        words = []
    if not words:
        raise MappingError(f"{label} has no name")
    first_name, last_name = words[0], " ".join(words[1:])
    if len(first_name) > MAX_LENGTHS["first_name"] or len(last_name) > MAX_LENGTHS["last_name"]:
        raise MappingError(f"{label} has no name ShotSpot can store (its name is too long)")
    refused.pop("first_name", None)
    refused.pop("last_name", None)
    fields["first_name"], fields["last_name"] = first_name, last_name


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
        raise ValueRefused(label, "is not a whole number")
    if number not in JERSEY_NUMBERS:
        raise ValueRefused(label, "is outside 0 to 999")
    return number


def _slot(record: dict, slot_name: str, label: str) -> dict:
    slot = record.get(slot_name)
    if slot is None:
        return {}
    if not isinstance(slot, dict):
        raise ValueRefused(label, "is not a Twizzit contact slot")
    return slot


def is_valid_email(address: str) -> bool:
    """RFC 5321/6531 syntax (UTF-8 local part, IDN domain); no DNS lookup."""
    if len(address) <= MAX_LENGTHS["email"] and EVERYDAY_ADDRESS.fullmatch(address):
        local, _, domain = address.rpartition("@")
        tld = domain.rsplit(".", 1)[-1].lower()
        if len(local) <= 64 and "--" not in domain and tld not in SPECIAL_USE:
            return True
    try:
        validate_email(address, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError:
        return False
    return True


def _email(record: dict, label: str, notes: list[str]) -> str:
    """The first valid address of the slots; a slot with two gives its first valid one."""
    typed = []  # (slot, its text) for every slot that holds something
    for slot_name in EMAIL_SLOTS:
        value = text(_slot(record, slot_name, label).get("email"), label=label, max_length=None)
        if value:
            typed.append((slot_name, value))
    for slot_name, value in typed:
        if len(value) <= MAX_LENGTHS["email"] and is_valid_email(value):
            return value
        if value.count("@") < 2:
            continue  # one address with a typo ("jan,de@club.be"), not two addresses
        words = [word for word in ADDRESS_SEPARATORS.split(value) if word]
        valid = [w for w in words if len(w) <= MAX_LENGTHS["email"] and is_valid_email(w)]
        if valid:
            notes.append(
                f"{label} {slot_name} holds more than one address; the first valid one was kept"
            )
            return valid[0]
    if typed:
        raise ValueRefused(label, NOT_AN_ADDRESS)
    return ""


def _phone(record: dict, label: str, notes: list[str]) -> str:
    """The first phone number phonenumbers can read, in E.164 ("+32470123456")."""
    typed = False
    for slot_name in PHONE_SLOTS:
        slot = _slot(record, slot_name, label)
        number = text(slot.get("number"), label=label)
        if not number:
            continue
        typed = True
        found = _read_phone(slot.get("cc"), number)
        if found:
            if len(found) > 1:
                notes.append(
                    f"{label} {slot_name} holds more than one phone number; the first was kept"
                )
            return found[0]
    if typed:
        raise ValueRefused(label, NOT_A_PHONE)
    return ""


def _read_phone(cc: Any, number: str) -> list[str]:
    """Every number phonenumbers finds in the text, E.164; `cc` is Twizzit's country code.

    cc "0", "" or null is Twizzit's way of saying "a national number": Belgian, unless
    the number says otherwise ("+31 …", "0031 …").
    """
    country = str(cc).strip().lstrip("+").lstrip("0") if is_int(cc) or isinstance(cc, str) else ""
    region = HOME_REGION
    if country and DIGITS.fullmatch(country):
        region = phonenumbers.region_code_for_country_code(int(country))
        if region == phonenumbers.UNKNOWN_REGION:
            return []
        if not number.lstrip().startswith(("+", "00")):
            # "+32 0470 …": phonenumbers drops the national trunk 0 after a country code.
            number = f"+{country} {number}"
    if PLAIN_NUMBER.fullmatch(number):
        # Only digits and separators: most often one number, which parse reads faster
        # than a search; what it cannot read (two numbers in one slot) is searched.
        try:
            parsed = phonenumbers.parse(number, region)
        except phonenumbers.NumberParseException:
            parsed = None
        if parsed is not None and phonenumbers.is_possible_number(parsed):
            return [phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)]
    matcher = phonenumbers.PhoneNumberMatcher(
        number, region, leniency=phonenumbers.Leniency.POSSIBLE
    )
    return [
        phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        for match in matcher
    ]
