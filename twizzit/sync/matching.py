"""First link: which existing ShotSpot player an unmapped Twizzit contact may be.

Keys are tried in order of trust: registration number, then email (case-insensitive),
then first name + last name + date of birth. The first key that finds anyone decides:
one candidate links, several make a `duplicate` conflict. A player already mapped to
another contact of the connection is never a candidate, so a link is never taken over.
At most three queries per page, whatever the page size, each costing what the page's
keys match; the third only when a player not yet linked matched.
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.functions import Lower

from shotspot.models import Player
from twizzit.models import PlayerMapping

REGISTRATION = "registration_number"
EMAIL = "email"
NAME_AND_BIRTH_DATE = "name_and_date_of_birth"

KEYS = ("pk", "registration_number", "email_ci", "last_name", "first_name", "date_of_birth")


def _name_key(fields: dict):
    if not fields.get("date_of_birth") or "first_name" not in fields or "last_name" not in fields:
        return None  # names alone are too weak to link two people
    return (fields["last_name"], fields["first_name"], fields["date_of_birth"])


def player_candidates(config, unmapped) -> dict[int, list[tuple[Player, str]]]:
    """{twizzit contact id: [(player, matched_on), ...]} for the first key that matched."""
    # A refused field is absent from `fields`: it matches nothing.
    registrations = {m.fields.get("registration_number", "") for m in unmapped} - {""}
    emails = {m.fields.get("email", "").lower() for m in unmapped} - {""}
    name_keys = {key for m in unmapped if (key := _name_key(m.fields))}

    # One query per key, united, each served by its own index: an OR of the three is
    # planned as a scan of every player once the table is large enough to be worth
    # analysing. It reads only the keys: most players it finds are mapped already (a
    # family shares an email; a page's birth dates are everyone's), and they are left
    # out by their ids, not by an anti-join that would be planned as a hash of every
    # mapping of the connection at every page. Only a player left is read whole.
    arms = []
    if registrations:
        arms.append(Q(registration_number__in=registrations))
    if emails:
        arms.append(Q(email_ci__in=emails))
    if name_keys:
        # Found by the date of birth's index, narrowed to the page's surnames, the first
        # names checked below: the surnames alone would lead the search through a share of
        # every player, which grows with the table, and each key spelled out costs more to
        # plan than the rows it saves.
        arms.append(
            Q(
                date_of_birth__in={key[2] for key in name_keys},
                last_name__in={key[0] for key in name_keys},
            )
        )
    queries = [
        Player.objects.annotate(email_ci=Lower("email")).filter(arm).order_by().values_list(*KEYS)
        for arm in arms
    ]
    rows = []
    if queries:
        first, *others = queries
        rows = list(first.union(*others) if others else first)
    if rows:
        mapped = set(
            PlayerMapping.objects.filter(
                config=config, player_id__in=[row[0] for row in rows]
            ).values_list("player_id", flat=True)
        )
        rows = [row for row in rows if row[0] not in mapped]
    players = Player.objects.in_bulk([row[0] for row in rows]) if rows else {}
    by_registration, by_email, by_name = {}, {}, {}
    for pk, registration, email_ci, last_name, first_name, date_of_birth in rows:
        player = players.get(pk)
        if player is None:
            continue  # deleted since the keys were read
        if registration in registrations:
            by_registration.setdefault(registration, []).append(player)
        if email_ci in emails:
            by_email.setdefault(email_ci, []).append(player)
        if date_of_birth is not None:
            key = (last_name, first_name, date_of_birth.isoformat())
            if key in name_keys:
                by_name.setdefault(key, []).append(player)

    found = {}
    for mapped in unmapped:
        fields = mapped.fields
        for matched_on, index, key in (
            (REGISTRATION, by_registration, fields.get("registration_number", "")),
            (EMAIL, by_email, fields.get("email", "").lower()),
            (NAME_AND_BIRTH_DATE, by_name, _name_key(fields)),
        ):
            players = index.get(key) if key else None
            if players:
                found[mapped.twizzit_id] = [(player, matched_on) for player in players]
                break
    return found
