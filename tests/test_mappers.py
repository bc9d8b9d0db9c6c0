"""The mappers, dict in and dict out, over payloads in the real Twizzit API's shapes.

The payloads live in tests/fixtures/twizzit/*.json; each test takes a deep copy (as
dj-stripe does), so a test that edits a record never leaks into another.
"""

import hashlib
import json
import subprocess
import sys
from copy import deepcopy
from pathlib import Path

import pytest

from shotspot.models import Gender, Player, Season, Team, TeamRole
from twizzit.mappers import (
    ROLES,
    MappingError,
    category_name,
    category_names_by_id,
    contacts,
    groups,
    map_contact,
    map_group,
    map_group_contact,
    map_season,
    record_hash,
    role_for,
    role_map,
    seasons,
)

FIXTURES = Path(__file__).parent / "fixtures" / "twizzit"


def _load(name):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


CONTACTS = {record["id"]: record for record in _load("contacts")}
GROUPS = {record["id"]: record for record in _load("groups")}
GROUP_CATEGORIES = _load("group_categories")
SEASONS = {record["id"]: record for record in _load("seasons")}
GROUP_CONTACTS = _load("group_contacts")
CONTACT_FUNCTIONS = _load("contact_functions")


def contact(contact_id):
    return deepcopy(CONTACTS[contact_id])


def group(group_id):
    return deepcopy(GROUPS[group_id])


def season(season_id):
    return deepcopy(SEASONS[season_id])


def category_names():
    return category_names_by_id(deepcopy(GROUP_CATEGORIES))


def functions():
    return deepcopy(CONTACT_FUNCTIONS)


MAPPABLE_CONTACTS = [7001, 7002, 7003, 7004]


# --- contacts → Player -----------------------------------------------------------------


def test_complete_contact_becomes_player_fields():
    record = contact(7001)

    mapped = map_contact(record)

    assert mapped.twizzit_id == 7001
    assert mapped.fields == {
        "first_name": "Lotte",
        "last_name": "Peeters",
        "date_of_birth": "2004-05-17",
        "gender": "female",
        "jersey_number": 7,
        "email": "lotte.peeters@telenet.be",
        "phone": "+32470123456",
        "registration_number": "KBKB-204117",
        "has_profile_image": True,
    }
    assert mapped.refs == {}
    assert mapped.hash == record_hash(CONTACTS[7001])


def test_sparse_contact_with_empty_slots_and_null_values_maps_cleanly():
    mapped = map_contact(contact(7002))

    assert mapped.fields == {
        "first_name": "Jan",
        "last_name": "Van den Broeck",
        "date_of_birth": None,
        "gender": "other",
        "jersey_number": 12,
        "email": "Jan.VanDenBroeck@Example.be",
        "phone": "+3232185577",
        "registration_number": "",
        "has_profile_image": False,
    }


def test_names_are_stripped_of_surrounding_spaces():
    fields = map_contact(contact(7002)).fields

    assert (fields["first_name"], fields["last_name"]) == ("Jan", "Van den Broeck")


def test_full_name_is_split_when_first_and_last_name_are_empty():
    fields = map_contact(contact(7004)).fields

    assert fields["first_name"] == "Marie-Claire"
    assert fields["last_name"] == "Dubois Lambert"


def test_single_word_full_name_becomes_the_first_name():
    record = contact(7004)
    record["name"] = "  Madonna  "

    fields = map_contact(record).fields

    assert (fields["first_name"], fields["last_name"]) == ("Madonna", "")


def test_one_filled_name_part_is_kept_without_looking_at_full_name():
    record = contact(7001)
    record["first-name"] = ""
    record["name"] = "Something Else"

    fields = map_contact(record).fields

    assert (fields["first_name"], fields["last_name"]) == ("", "Peeters")


def test_contact_without_any_name_is_refused():
    with pytest.raises(MappingError, match=r"^contact 7006 has no name$"):
        map_contact(contact(7006))


def test_null_birth_date_and_empty_birth_date_both_mean_unknown():
    assert map_contact(contact(7002)).fields["date_of_birth"] is None
    assert map_contact(contact(7003)).fields["date_of_birth"] is None


def test_impossible_birth_date_costs_the_field_not_the_player_and_quotes_no_date():
    mapped = map_contact(contact(7005))

    assert "date_of_birth" not in mapped.fields
    assert mapped.refused == {"date_of_birth": "is not a real calendar date"}
    assert mapped.fields["last_name"]  # the rest of the contact is there


@pytest.mark.parametrize("value", ["17/05/2004", "2004-5-17", "20040517", "yesterday", 20040517])
def test_birth_date_not_in_twizzit_form_is_refused_as_a_field(value):
    record = contact(7001)
    record["date-of-birth"] = value

    mapped = map_contact(record)

    assert "date_of_birth" not in mapped.fields
    assert set(mapped.refused) == {"date_of_birth"}
    assert str(value) not in mapped.refused["date_of_birth"]  # a birth date is personal data
    assert mapped.fields["email"] == "lotte.peeters@telenet.be"


@pytest.mark.parametrize(
    ("twizzit_gender", "shotspot_gender"),
    [
        ("M", "male"),
        ("F", "female"),
        ("X", "other"),
        (None, "unknown"),
        ("", "unknown"),
        ("V", "unknown"),
        ("m", "male"),
        (1, "unknown"),
    ],
)
def test_gender_is_translated_to_shotspot_choices(twizzit_gender, shotspot_gender):
    record = contact(7001)
    record["gender"] = twizzit_gender

    assert map_contact(record).fields["gender"] == shotspot_gender


def test_gender_x_and_null_in_fixtures_become_other_and_unknown():
    assert map_contact(contact(7002)).fields["gender"] == "other"
    assert map_contact(contact(7003)).fields["gender"] == "unknown"


@pytest.mark.parametrize(
    ("number", "jersey"), [(7, 7), ("12", 12), (" 4 ", 4), (0, 0), (999, 999), (None, None)]
)
def test_jersey_number_accepts_ints_and_numeric_strings(number, jersey):
    record = contact(7001)
    record["number"] = number

    assert map_contact(record).fields["jersey_number"] == jersey


def test_empty_jersey_number_means_no_number():
    record = contact(7001)
    record["number"] = ""

    assert map_contact(record).fields["jersey_number"] is None


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        (1000, "is outside 0 to 999"),
        (-1, "is outside 0 to 999"),
        ("1000", "is outside 0 to 999"),
        ("abc", "is not a whole number"),
        ("7a", "is not a whole number"),
        (7.5, "is not a whole number"),
        (True, "is not a whole number"),
    ],
)
def test_jersey_number_no_shirt_carries_is_refused_as_a_field(number, reason):
    record = contact(7001)
    record["number"] = number

    mapped = map_contact(record)

    assert mapped.refused == {"jersey_number": reason}
    assert "jersey_number" not in mapped.fields
    assert mapped.fields["first_name"] == "Lotte"


def test_first_filled_email_slot_wins_and_keeps_its_case():
    assert map_contact(contact(7002)).fields["email"] == "Jan.VanDenBroeck@Example.be"
    assert map_contact(contact(7004)).fields["email"] == "mc.dubois@skynet.be"


def test_contact_whose_email_slots_are_all_empty_has_no_email():
    assert map_contact(contact(7003)).fields["email"] == ""


def test_email_is_stripped_of_surrounding_spaces():
    record = contact(7001)
    record["email-1"]["email"] = "  lotte.peeters@telenet.be "

    assert map_contact(record).fields["email"] == "lotte.peeters@telenet.be"


def test_malformed_email_costs_the_email_not_the_player():
    mapped = map_contact(contact(7007))

    assert mapped.refused == {"email": "is not a valid address"}
    assert "email" not in mapped.fields
    assert "emma.maes" not in str(mapped.refused)  # an address is personal data


@pytest.mark.parametrize("address", ["jan.be", "jan@gmail..com", "jan @telenet.be", "@telenet.be"])
def test_clearly_malformed_email_addresses_are_refused(address):
    record = contact(7001)
    record["email-1"]["email"] = address

    assert map_contact(record).refused == {"email": "is not a valid address"}


@pytest.mark.parametrize(
    "address",
    [
        "o'neil+korfbal@club.korfbal.be",
        "A.B@Sub.Example.BE",
        "jösé.peeters@telenet.be",  # RFC 6531: a UTF-8 local part
        "lotte@exämple.be",  # an IDN domain
    ],
)
def test_unusual_but_valid_email_addresses_are_kept(address):
    record = contact(7001)
    record["email-1"]["email"] = address

    assert map_contact(record).fields["email"] == address


def test_mobile_with_country_code_drops_the_national_trunk_zero():
    # mobile-1 "0470 12 34 56" with cc "32"; the landline in `phone` is not used.
    assert map_contact(contact(7001)).fields["phone"] == "+32470123456"


def test_landline_is_used_when_no_mobile_is_filled_and_cc_zero_reads_it_as_belgian():
    assert map_contact(contact(7002)).fields["phone"] == "+3232185577"


def test_national_mobile_with_empty_or_null_country_code_is_read_as_belgian():
    assert map_contact(contact(7003)).fields["phone"] == "+32479112233"  # cc "", in mobile-2
    assert map_contact(contact(7004)).fields["phone"] == "+32496554433"  # cc null


def test_contact_without_any_phone_has_no_phone():
    record = contact(7005)
    record["date-of-birth"] = "2001-02-28"

    assert map_contact(record).fields["phone"] == ""


@pytest.mark.parametrize(
    ("cc", "number", "phone"),
    [
        ("32", "0470/12.34.56", "+32470123456"),
        ("+32", "470 12 34 56", "+32470123456"),
        ("0031", "06-12345678", "+31612345678"),
        (32, "0470123456", "+32470123456"),
        (None, "+32 470 12 34 56", "+32470123456"),
        ("0", "(03) 218 55 77", "+3232185577"),
        ("32", "+32 (0)470 12 34 56", "+32470123456"),
        ("", "0470 12 34 56 (mama)", "+32470123456"),
        (None, "0032 470 12 34 56", "+32470123456"),
        ("0", "0031 6 12345678", "+31612345678"),
    ],
)
def test_phone_in_any_usual_spelling_is_stored_in_e164(cc, number, phone):
    record = contact(7001)
    record["mobile-1"] = {"target": "private", "cc": cc, "number": number}

    assert map_contact(record).fields["phone"] == phone


@pytest.mark.parametrize(
    ("cc", "number"), [("32", "12"), ("32", "call mum"), ("BE", "0470 12"), ("32", "0470")]
)
def test_phone_that_cannot_be_read_is_refused_as_a_field(cc, number):
    record = contact(7001)
    record["mobile-1"] = {"target": "private", "cc": cc, "number": number}
    record["phone"] = {"target": None, "cc": None, "number": ""}

    mapped = map_contact(record)

    assert mapped.refused == {"phone": "is not a phone number ShotSpot can read"}
    assert mapped.fields["email"] == "lotte.peeters@telenet.be"


def test_two_addresses_in_one_slot_keep_the_first_valid_one_with_a_note():
    record = contact(7001)
    record["email-1"]["email"] = "nope; lotte.peeters@telenet.be, mama@telenet.be"

    mapped = map_contact(record)

    assert mapped.fields["email"] == "lotte.peeters@telenet.be"
    assert mapped.refused == {}
    assert mapped.notes == (
        "contact 7001 email-1 holds more than one address; the first valid one was kept",
    )


def test_missing_registry_number_becomes_empty_registration_number():
    assert map_contact(contact(7002)).fields["registration_number"] == ""
    assert map_contact(contact(7001)).fields["registration_number"] == "KBKB-204117"


def test_profile_image_flag_is_a_boolean():
    assert map_contact(contact(7001)).fields["has_profile_image"] is True
    assert map_contact(contact(7003)).fields["has_profile_image"] is False


@pytest.mark.parametrize(
    ("value", "flag"), [(None, False), ("true", True), ("0", False), (1, True)]
)
def test_profile_image_flag_in_other_spellings_is_read_as_yes_or_no(value, flag):
    record = contact(7001)
    record["has-profile-image"] = value

    assert map_contact(record).fields["has_profile_image"] is flag


def test_profile_image_flag_that_is_neither_yes_nor_no_is_refused_as_a_field():
    record = contact(7001)
    record["has-profile-image"] = "maybe"

    assert map_contact(record).refused == {"has_profile_image": "is not true or false (got text)"}


def test_name_that_is_not_text_is_refused_and_the_other_name_kept():
    record = contact(7001)
    record["last-name"] = {"NL": "Peeters"}

    mapped = map_contact(record)

    assert mapped.refused == {"last_name": "is not text (got an object)"}
    assert mapped.fields["first_name"] == "Lotte"


@pytest.mark.parametrize(
    ("twizzit_field", "model_field", "value"),
    [
        ("first-name", "first_name", "A" * 101),
        ("last-name", "last_name", "B" * 101),
        ("registry-number", "registration_number", "9" * 51),
    ],
)
def test_value_longer_than_the_player_column_is_refused_as_a_field(
    twizzit_field, model_field, value
):
    record = contact(7001)
    record[twizzit_field] = value

    mapped = map_contact(record)

    limit = Player._meta.get_field(model_field).max_length
    assert mapped.refused == {
        model_field: f"is {len(value)} characters long; ShotSpot keeps at most {limit}"
    }
    assert model_field not in mapped.fields


def test_too_long_email_and_phone_are_refused_and_a_too_long_full_name_costs_the_contact():
    long_email = contact(7001)
    long_email["email-1"]["email"] = "a" * 250 + "@x.be"
    long_phone = contact(7001)
    long_phone["mobile-1"]["number"] = "0" + "4" * 45
    long_phone["phone"]["number"] = ""
    long_surname = contact(7004)
    long_surname["name"] = "Jan " + "Z" * 101

    assert set(map_contact(long_email).refused) == {"email"}
    assert set(map_contact(long_phone).refused) == {"phone"}
    with pytest.raises(MappingError, match="has no name ShotSpot can store"):
        map_contact(long_surname)


@pytest.mark.parametrize("bad_id", ["7001", None, 70.01, True])
def test_contact_without_an_integer_id_is_refused(bad_id):
    record = contact(7001)
    record["id"] = bad_id

    with pytest.raises(MappingError, match=r"contact record has no integer id"):
        map_contact(record)


def test_contact_slot_that_is_not_a_slot_object_is_refused_as_a_field():
    record = contact(7001)
    record["email-1"] = "lotte.peeters@telenet.be"

    assert map_contact(record).refused == {"email": "is not a Twizzit contact slot"}


def test_extra_fields_with_empty_attribute_object_do_not_disturb_mapping():
    record = contact(7001)
    assert record["extra-field-values"][0]["value"]["attributes"] == {}

    assert map_contact(record).fields["first_name"] == "Lotte"


@pytest.mark.parametrize("contact_id", MAPPABLE_CONTACTS)
def test_mapping_leaves_the_record_untouched_and_fields_json_safe(contact_id):
    record = contact(contact_id)

    mapped = map_contact(record)

    assert record == CONTACTS[contact_id]
    assert json.loads(json.dumps(mapped.fields)) == mapped.fields
    assert mapped.fields["gender"] in Gender.values


# --- the record hash ---------------------------------------------------------------------


def test_record_hash_is_sha256_of_canonical_json():
    record = {"b": 1, "a": "Entraîneur", "c": {"z": None, "y": []}}
    canonical = '{"a":"Entraîneur","b":1,"c":{"y":[],"z":null}}'

    assert record_hash(record) == hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_record_hash_ignores_key_order_but_sees_any_nested_change():
    record = contact(7001)
    reordered = dict(reversed(list(record.items())))
    changed = contact(7001)
    changed["extra-field-values"][0]["value"]["attributes"] = []

    assert record_hash(reordered) == record_hash(record)
    assert record_hash(changed) != record_hash(record)


# --- groups → Team -----------------------------------------------------------------------


def test_team_gets_name_category_logo_and_season_and_club_refs():
    mapped = map_group(group(301), category_names())

    assert mapped.twizzit_id == 301
    assert mapped.fields == {
        "name": "Kern A",
        "short_name": "KA",
        "category": "Seniors",
        "logo_url": "https://app.twizzit.com/files/groups/301/logo.png",
    }
    assert mapped.refs == {"season_id": 21, "club_id": 501}
    assert mapped.hash == record_hash(GROUPS[301])


def test_team_with_null_season_and_null_image_maps_without_them():
    mapped = map_group(group(302), category_names())

    assert mapped.fields == {
        "name": "U15 B",
        "short_name": "",
        "category": "Jeugd U15",
        "logo_url": "",
    }
    assert mapped.refs == {"season_id": None, "club_id": 501}


def test_team_in_unknown_category_and_without_club_is_uncategorised():
    mapped = map_group(group(303), category_names())

    assert mapped.fields["category"] == ""
    assert mapped.fields["logo_url"] == ""
    assert mapped.refs == {"season_id": 20, "club_id": None}


def test_team_without_short_name_key_gets_empty_short_name():
    record = group(301)
    del record["short-name"]

    assert map_group(record, {}).fields["short_name"] == ""


def test_team_without_name_falls_back_to_short_name_and_without_both_is_refused():
    record = group(301)
    record["name"] = " "
    assert map_group(record, {}).fields["name"] == "KA"

    record["short-name"] = ""
    with pytest.raises(MappingError, match=r"^group 301 has no name$"):
        map_group(record, {})


@pytest.mark.parametrize("image", ["logo.png", "ftp://files.example/logo.png", "https://"])
def test_team_image_that_is_not_a_web_address_is_refused(image):
    record = group(301)
    record["image"] = image

    with pytest.raises(MappingError, match="group 301 image is not a web address"):
        map_group(record, {})


def test_team_name_longer_than_the_team_column_is_refused():
    record = group(301)
    record["name"] = "K" * 201

    with pytest.raises(MappingError, match="group 301 name is 201 characters long"):
        map_group(record, {})


@pytest.mark.parametrize(
    ("field", "value"), [("club", "501"), ("season", {"id": "21"}), ("season", [21])]
)
def test_team_with_malformed_season_or_club_reference_is_refused(field, value):
    record = group(301)
    record[field] = value

    with pytest.raises(MappingError, match=f"group 301 {field}"):
        map_group(record, {})


@pytest.mark.parametrize(
    ("category_id", "name"),
    [(11, "Seniors"), (12, "Jeugd U15"), (13, "Loisirs"), (14, "")],
)
def test_category_name_is_first_non_empty_of_english_dutch_french(category_id, name):
    record = next(c for c in deepcopy(GROUP_CATEGORIES) if c["id"] == category_id)

    assert category_name(record) == name


def test_category_names_by_id_covers_the_listing():
    assert category_names() == {11: "Seniors", 12: "Jeugd U15", 13: "Loisirs", 14: ""}


# --- seasons → Season --------------------------------------------------------------------


def test_active_season_is_the_current_season():
    mapped = map_season(season(21))

    assert mapped.twizzit_id == 21
    assert mapped.fields == {
        "name": "2025-2026",
        "start_date": "2025-07-01",
        "end_date": "2026-06-30",
        "is_current": True,
    }
    assert mapped.refs == {}
    assert mapped.hash == record_hash(SEASONS[21])


def test_inactive_season_is_not_current():
    assert map_season(season(20)).fields["is_current"] is False


def test_season_without_active_flag_is_not_current():
    record = season(21)
    record["active"] = None

    assert map_season(record).fields["is_current"] is False


def test_season_with_empty_end_date_has_no_end_date():
    assert map_season(season(19)).fields["end_date"] is None


def test_season_with_impossible_start_date_is_refused_naming_the_field():
    record = season(21)
    record["start-date"] = "2025-06-31"

    with pytest.raises(MappingError) as error:
        map_season(record)

    assert str(error.value) == "season 21 start-date is not a real calendar date"


def test_season_that_ends_before_it_starts_is_refused():
    record = season(21)
    record["end-date"] = "2024-06-30"

    with pytest.raises(MappingError, match="ends \\(2024-06-30\\) before it starts"):
        map_season(record)


def test_season_without_name_is_refused():
    record = season(21)
    record["name"] = ""

    with pytest.raises(MappingError, match=r"^season 21 has no name$"):
        map_season(record)


# --- rosters -------------------------------------------------------------------------------


def test_group_contact_rows_become_id_triples():
    rows = deepcopy(GROUP_CONTACTS)

    assert [map_group_contact(row) for row in rows[:4]] == [
        (301, 7001, 1),
        (301, 7002, 2),
        (302, 7003, None),
        (302, 7004, 5),
    ]


def test_group_contact_row_with_string_group_id_is_refused():
    row = deepcopy(GROUP_CONTACTS[4])

    with pytest.raises(MappingError, match="has no integer groupId"):
        map_group_contact(row)


def test_group_contact_row_without_group_id_is_refused():
    row = deepcopy(GROUP_CONTACTS[5])

    with pytest.raises(MappingError, match="has no integer groupId"):
        map_group_contact(row)


def test_group_contact_row_with_malformed_contact_or_function_id_is_refused():
    no_contact = {"groupId": 301, "contactId": None, "contactFunctionId": 1}
    bad_function = {"groupId": 301, "contactId": 7001, "contactFunctionId": "1"}

    with pytest.raises(MappingError, match="has no integer contactId"):
        map_group_contact(no_contact)
    with pytest.raises(MappingError, match="non-integer contactFunctionId"):
        map_group_contact(bad_function)


def test_functions_get_roles_by_name_in_any_language_ignoring_case_and_accents():
    assert role_map(functions(), {}) == {
        1: "player",  # Player / Speler / Joueur
        2: "coach",  # Coach / Trainer / Entraîneur
        3: "staff",  # Team manager / Ploegverantwoordelijke / Délégué
        4: "other",  # Referee / Scheidsrechter / Arbitre
        5: "coach",  # only NL: Hoofdtrainer
        6: "coach",  # only FR, capitals, no accent: ENTRAINEUR
        7: "player",  # only FR, lower case: joueuse
        8: "staff",  # NL Kinesist
        9: "coach",  # "assistent trainer" without the hyphen
        10: "staff",  # FR "Délégué " with a trailing space
        11: "other",  # Parent
    }


def test_role_overrides_win_and_may_name_functions_missing_from_the_listing():
    roles = role_map(functions(), {"4": "staff", 1: "coach", "99": "Player"})

    assert roles[4] == "staff"
    assert roles[1] == "coach"
    assert roles[99] == "player"
    assert roles[2] == "coach"


def test_role_override_naming_an_unknown_role_is_refused():
    with pytest.raises(MappingError) as error:
        role_map(functions(), {"4": "captain"})

    assert str(error.value) == (
        "role override for contact function 4 names unknown role 'captain'; "
        "choose one of player, coach, staff, other"
    )


def test_role_override_key_that_is_not_a_function_id_is_refused():
    with pytest.raises(MappingError, match="role override key 'referee' is not a contact"):
        role_map(functions(), {"referee": "other"})


def test_function_records_without_an_id_are_skipped():
    records = [*functions(), {"name": {"EN": "Player"}}, "junk"]

    assert len(role_map(records)) == len(CONTACT_FUNCTIONS)


def test_roster_row_without_function_is_a_player_and_unknown_function_is_other():
    roles = role_map(functions(), {})

    assert role_for(None, roles) == "player"
    assert role_for(12345, roles) == "other"
    assert role_for(2, roles) == "coach"


# --- the mappers stay in step with ShotSpot's models ---------------------------------------


def test_roles_are_exactly_shotspots_team_roles():
    assert set(ROLES) == set(TeamRole.values)


@pytest.mark.parametrize(
    ("mapper_limits", "model"),
    [(contacts.MAX_LENGTHS, Player), (groups.MAX_LENGTHS, Team), (seasons.MAX_LENGTHS, Season)],
)
def test_mapper_length_limits_equal_the_model_columns(mapper_limits, model):
    for field_name, limit in mapper_limits.items():
        assert model._meta.get_field(field_name).max_length == limit, field_name


def test_mappers_import_without_django():
    code = "import sys, twizzit.mappers; print(sorted(m for m in sys.modules if 'django' in m))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )

    assert result.stdout.strip() == "[]"


def test_two_phone_numbers_in_one_slot_keep_the_first_with_a_note():
    record = contact(7001)
    record["mobile-1"] = {
        "target": "private",
        "cc": "32",
        "number": "0470 12 34 56 / 0471 11 22 33",
    }

    mapped = map_contact(record)

    assert mapped.fields["phone"] == "+32470123456"
    assert mapped.notes == (
        "contact 7001 mobile-1 holds more than one phone number; the first was kept",
    )


def test_the_everyday_address_shortcut_agrees_with_email_validator():
    # The shortcut only ever says yes where email-validator says yes.
    from email_validator import EmailNotValidError, validate_email

    def library(address):
        try:
            validate_email(address, check_deliverability=False, allow_smtputf8=True)
        except EmailNotValidError:
            return False
        return True

    for address in [
        "lotte.peeters@telenet.be",
        "a+b@c.be",
        "A@B.BE",
        "a@b.co.uk",
        "a@b.test",
        "a@x.localhost",
        "a..b@c.be",
        "a.@c.be",
        "a@-b.be",
        "a@xn--abc.be",
        "a@ab--cd.be",
        "a@b.c",
        "a@b.123",
        "a@b.be.",
        "a" * 65 + "@b.be",
        "a@" + "b" * 64 + ".be",
        "a@b.onion",
        "jan,de@club.be",
        "o'neil@club.be",
        "jösé@telenet.be",
    ]:
        assert contacts.is_valid_email(address) == library(address), address
