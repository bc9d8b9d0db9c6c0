"""Members with the messy values volunteers really type, one kind of mess per member.

Club data is typed by hand: an accented e-mail address (valid under RFC 6531), a note in
a phone field, two addresses in one slot, an impossible date, a jersey number no shirt
carries. `messy_members` returns one generated contact per kind in `KINDS`, with that one
value spoiled; the sandbox adds them to its members (`generate(..., messy=True)`: the demo
and `twizzit_sandbox` do, the tests ask for them where they are the subject) and puts each
on a current team's roster, so a sync shows what ShotSpot keeps and what it refuses.

Each kind says what ShotSpot does with it: "kept" (stored as given, or read into
ShotSpot's form), "first kept" (two values in one slot: the first valid one, with a
warning), or the ShotSpot field it costs ("refused: email" — the player is synced
without it).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from twizzit.sandbox.people import build_contact


@dataclass(frozen=True)
class Kind:
    name: str
    patch: dict  # the contact's Twizzit fields, spoiled
    outcome: str  # "kept", "first kept", or the refused ShotSpot field


def _mobile(number: str, cc: str | None = "32") -> dict:
    return {"mobile-1": {"target": "private", "cc": cc, "number": number}}


def _email(address) -> dict:
    return {"email-1": {"target": "private", "email": address}}


NO_PHONES = {
    slot: {"target": None, "cc": None, "number": ""}
    for slot in ("mobile-1", "mobile-2", "mobile-3", "phone")
}

KINDS = (
    Kind("e-mail with an accented local part (RFC 6531)", _email("jösé.maes@telenet.be"), "kept"),
    Kind("e-mail with an internationalised domain", _email("lotte@exämple.be"), "kept"),
    Kind("e-mail with spaces around it", _email("  an.peeters@skynet.be  "), "kept"),
    Kind(
        "two e-mail addresses in one slot",
        _email("mama.claes@telenet.be; papa.claes@telenet.be"),
        "first kept",
    ),
    Kind("e-mail with a comma for a dot", _email("jan,de.smet@telenet.be"), "email"),
    Kind("e-mail slot that is not a slot", {"email-1": "bert@telenet.be"}, "email"),
    Kind("phone with a note after it", _mobile("0470 12 34 56 (mama)", ""), "kept"),
    Kind("phone as +32 (0)…", _mobile("+32 (0)471 22 33 44", None), "kept"),
    Kind("phone with slashes and dots", _mobile("0472/55.66.77", "0"), "kept"),
    Kind("phone that is only a note", {**NO_PHONES, **_mobile("zie moeder", "32")}, "phone"),
    Kind("date of birth that does not exist", {"date-of-birth": "2011-02-30"}, "date_of_birth"),
    Kind("date of birth typed the Belgian way", {"date-of-birth": "17/05/2009"}, "date_of_birth"),
    Kind("jersey number no shirt carries", {"number": 1000}, "jersey_number"),
    Kind("jersey number with a letter", {"number": "7a"}, "jersey_number"),
    Kind(
        "registry number far too long",
        {"registry-number": "KBKB-" + "0" * 60},
        "registration_number",
    ),
    Kind("first name with a NUL character", {"first-name": "Ja\x00nne"}, "first_name"),
    Kind("first name pasted three times", {"first-name": "Marie-Louise " * 9}, "first_name"),
    Kind("profile image flag that says maybe", {"has-profile-image": "maybe"}, "has_profile_image"),
)


def messy_members(first_id: int, current_season: int) -> list[dict]:
    """One contact per kind, ids from `first_id` on, each seeded by its id."""
    members = []
    for offset, kind in enumerate(KINDS):
        contact_id = first_id + offset
        contact = build_contact(random.Random(f"messy:{contact_id}"), contact_id, current_season)
        contact.update(kind.patch)
        members.append(contact)
    return members
