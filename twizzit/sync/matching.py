"""First link: which existing ShotSpot player an unmapped Twizzit contact may be.

Keys are tried in order of trust: registration number, then email (case-insensitive),
then first name + last name + date of birth. The first key that finds anyone decides:
one candidate links, several make a `duplicate` conflict. A player already mapped to
another contact of the connection is never a candidate, so a link is never taken over.
One query per page, whatever the page size.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower

from shotspot.models import Player
from twizzit.models import PlayerMapping

REGISTRATION = "registration_number"
EMAIL = "email"
NAME_AND_BIRTH_DATE = "name_and_date_of_birth"


def _name_key(fields: dict):
    if not fields.get("date_of_birth"):
        return None  # names alone are too weak to link two people
    return (fields["last_name"], fields["first_name"], fields["date_of_birth"])


def player_candidates(config, unmapped) -> dict[int, list[tuple[Player, str]]]:
    """{twizzit contact id: [(player, matched_on), ...]} for the first key that matched."""
    registrations = {m.fields["registration_number"] for m in unmapped} - {""}
    emails = {m.fields["email"].lower() for m in unmapped} - {""}
    name_keys = {key for m in unmapped if (key := _name_key(m.fields))}

    # One query for the three keys: each is served by its own index, and the players
    # already mapped are left out by an anti-join rather than a list of every mapping.
    matches = Q(pk__in=[])
    if registrations:
        matches |= Q(registration_number__in=registrations)
    if emails:
        matches |= Q(email_ci__in=emails)
    if name_keys:
        # By the date of birth alone, the names checked below: a page's surnames and
        # first names as lists match a share of every player, which grows with the table
        # (and each key spelled out costs more to plan than the rows it saves).
        matches |= Q(date_of_birth__in={key[2] for key in name_keys})
    by_registration, by_email, by_name = {}, {}, {}
    if registrations or emails or name_keys:
        mapped = PlayerMapping.objects.filter(config=config, player=OuterRef("pk"))
        players = (
            Player.objects.annotate(email_ci=Lower("email")).filter(matches).exclude(Exists(mapped))
        )
        for player in players:
            if player.registration_number in registrations:
                by_registration.setdefault(player.registration_number, []).append(player)
            if player.email_ci in emails:
                by_email.setdefault(player.email_ci, []).append(player)
            if player.date_of_birth is not None:
                key = (player.last_name, player.first_name, player.date_of_birth.isoformat())
                if key in name_keys:
                    by_name.setdefault(key, []).append(player)

    found = {}
    for mapped in unmapped:
        fields = mapped.fields
        for matched_on, index, key in (
            (REGISTRATION, by_registration, fields["registration_number"]),
            (EMAIL, by_email, fields["email"].lower()),
            (NAME_AND_BIRTH_DATE, by_name, _name_key(fields)),
        ):
            players = index.get(key) if key else None
            if players:
                found[mapped.twizzit_id] = [(player, matched_on) for player in players]
                break
    return found
