"""Generated contacts: Belgian korfball members in the exact record shape of Twizzit.

One contact draws all its values from the random stream it is given, in a fixed order,
so a seed always yields the same people. The quirks of the real API are reproduced on
purpose, because a client or mapper that survives them here survives them there:

- every e-mail slot is present; an unused one is `{"target": null, "email": ""}`;
- phones come as `cc` + `number`, with `cc` "32", "0", "" or null and numbers written
  several ways;
- dates of birth, genders, jersey numbers and registry numbers are sometimes null;
- the address is all strings ("" when unknown) with a camelCase `postalCode` and a
  country language map;
- an extra field's `attributes` is sometimes `{}` instead of `[]` (PHP's empty array).
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date, timedelta

from twizzit.sandbox import vocabulary as vocab


def build_contact(rng: random.Random, contact_id: int, current_season: int) -> dict:
    flemish = rng.random() < 0.62
    gender = rng.choices(("M", "F", "X", None), weights=(47, 47, 2, 4))[0]
    first_name = _first_name(rng, flemish, gender)
    last_name = rng.choice(vocab.FLEMISH_SURNAMES if flemish else vocab.WALLOON_SURNAMES)
    if rng.random() < 0.03:
        last_name = f"{last_name}-{rng.choice(vocab.FLEMISH_SURNAMES)}"
    born = _date_of_birth(rng, current_season)
    return {
        "id": contact_id,
        "name": f"{first_name} {last_name}",
        "first-name": first_name,
        "last-name": last_name,
        "date-of-birth": born.isoformat() if born else None,
        "gender": gender,
        "nationality": rng.choices(("BE", "NL", "FR", ""), weights=(92, 4, 2, 2))[0],
        "language": "nl" if flemish else "fr",
        "account-number": _account_number(rng),
        "registry-number": _registry_number(rng, born, gender),
        "number": rng.randint(1, 99) if rng.random() < 0.55 else None,
        **_emails(rng, first_name, last_name),
        **_phones(rng),
        "address": _address(rng, flemish),
        "has-profile-image": rng.random() < 0.3,
        "extra-field-values": _extra_field_values(rng),
    }


def new_contact(contact_id: int, current_season: int) -> dict:
    """A plausible contact for a test that adds one; its id seeds it."""
    return build_contact(random.Random(f"added:{contact_id}"), contact_id, current_season)


def _first_name(rng: random.Random, flemish: bool, gender: str | None) -> str:
    if gender == "M":
        return rng.choice(vocab.FLEMISH_MEN if flemish else vocab.WALLOON_MEN)
    if gender == "F":
        return rng.choice(vocab.FLEMISH_WOMEN if flemish else vocab.WALLOON_WOMEN)
    return rng.choice(vocab.NEUTRAL_NAMES)


def _date_of_birth(rng: random.Random, current_season: int) -> date | None:
    if rng.random() < 0.06:
        return None
    age = rng.randint(5, 20) if rng.random() < 0.6 else rng.randint(21, 62)
    return date(current_season - age, 1, 1) + timedelta(days=rng.randrange(365))


def _registry_number(rng: random.Random, born: date | None, gender: str | None) -> str | None:
    """A Belgian national register number with a valid check, or null."""
    if born is None or rng.random() < 0.3:
        return None
    serial = rng.randrange(1, 499) * 2 + (1 if gender == "M" else 0)
    digits = f"{born:%y%m%d}{serial:03d}"
    base = int(("2" if born.year >= 2000 else "") + digits)
    check = 97 - base % 97
    return f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}-{digits[6:9]}.{check:02d}"


def _account_number(rng: random.Random) -> str | None:
    """A Belgian IBAN with valid checks, or null, or empty."""
    roll = rng.random()
    if roll < 0.5:
        return None
    if roll < 0.6:
        return ""
    first_ten = rng.randrange(10**9, 10**10)
    bban = f"{first_ten}{(first_ten % 97) or 97:02d}"
    iban_check = 98 - int(f"{bban}111400") % 97  # "BE00" moved to the end, letters as digits
    iban = f"BE{iban_check:02d}{bban}"
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def ascii_fold(text: str) -> str:
    """'Noël Van den Broeck' -> 'noelvandenbroeck' for e-mail addresses."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _emails(rng: random.Random, first_name: str, last_name: str) -> dict:
    address = f"{ascii_fold(first_name)}.{ascii_fold(last_name)}"
    slots = {}
    for slot, used_chance in ((1, 0.85), (2, 0.25), (3, 0.05)):
        if rng.random() < used_chance:
            target = rng.choice(("private", "parents", "work", None))
            suffix = "" if slot == 1 else str(rng.randint(1, 99))
            email = f"{address}{suffix}@{rng.choice(vocab.MAIL_DOMAINS)}"
            slots[f"email-{slot}"] = {"target": target, "email": email}
        else:
            slots[f"email-{slot}"] = {"target": None, "email": ""}
    return slots


def _phone_number(rng: random.Random, mobile: bool) -> dict:
    cc = rng.choices(("32", "0", ""), weights=(90, 5, 5))[0]
    if mobile:
        digits = f"4{rng.randint(60, 99)}{rng.randrange(10**6):06d}"
    else:
        digits = f"{rng.choice(('3', '9', '2', '4', '16'))}{rng.randrange(10**6, 10**7)}"
    if cc == "32":
        number = digits
    else:
        number = "0" + (
            f"{digits[:3]}/{digits[3:5]}.{digits[5:7]}.{digits[7:]}" if mobile else digits
        )
    return {"target": rng.choice(("private", "parents", None)), "cc": cc, "number": number}


def _phones(rng: random.Random) -> dict:
    slots = {}
    for name, used_chance, mobile in (
        ("mobile-1", 0.75, True),
        ("mobile-2", 0.2, True),
        ("mobile-3", 0.03, True),
        ("phone", 0.3, False),
    ):
        if rng.random() < used_chance:
            slots[name] = _phone_number(rng, mobile)
        else:
            slots[name] = {"target": None, "cc": rng.choice((None, "")), "number": ""}
    return slots


def _address(rng: random.Random, flemish: bool) -> dict:
    roll = rng.random()
    if roll < 0.08:
        return {
            "street": "",
            "number": "",
            "box": "",
            "postalCode": "",
            "city": "",
            "country": dict(vocab.NO_COUNTRY),
        }
    if roll < 0.11:
        postal_code, city = rng.choice(vocab.DUTCH_TOWNS)
        street, country = rng.choice(("Markt", "Kerkstraat", "Grote Markt")), vocab.NETHERLANDS
    else:
        postal_code, city = rng.choice(vocab.FLEMISH_TOWNS if flemish else vocab.WALLOON_TOWNS)
        street = rng.choice(vocab.FLEMISH_STREETS if flemish else vocab.WALLOON_STREETS)
        country = vocab.BELGIUM
    return {
        "street": street,
        "number": str(rng.randint(1, 240)),
        "box": rng.choice(("", "", "", "", "", "bus 2", "B3", "1A")),
        "postalCode": postal_code,
        "city": city,
        "country": dict(country),
    }


def _extra_field_values(rng: random.Random) -> list[dict]:
    values = []
    if rng.random() < 0.5:
        size_index = rng.randrange(len(vocab.SHIRT_SIZES))
        values.append(
            {
                "extraField": vocab.SHIRT_SIZE_FIELD,
                "value": {
                    "value": vocab.SHIRT_SIZES[size_index],
                    "attributes": [
                        vocab.SHIRT_SIZE_FIELD["extraFieldAttributes"][size_index]["id"]
                    ],
                },
            }
        )
    if rng.random() < 0.25:
        # PHP serialises an empty associative array as {}: the real API does this too.
        attributes = {} if rng.random() < 0.6 else []
        values.append(
            {
                "extraField": vocab.MEDICAL_FIELD,
                "value": {"value": rng.choice(vocab.MEDICAL_NOTES), "attributes": attributes},
            }
        )
    return values
