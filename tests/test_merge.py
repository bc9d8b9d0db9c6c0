"""The three-way merge, field by field (pure: dicts in, decisions out)."""

from twizzit.sync.merge import merge

BASE = {"last_name": "Peeters", "email": "lotte@club.be", "jersey_number": 7}


def test_only_twizzit_changed_applies_twizzit_value():
    result = merge(BASE, dict(BASE), {**BASE, "last_name": "Peeters-Maes"})
    assert result.apply == {"last_name": "Peeters-Maes"}
    assert result.base["last_name"] == "Peeters-Maes"
    assert not result.has_conflicts


def test_local_edit_survives_when_twizzit_unchanged():
    local = {**BASE, "email": "lotte.peeters@gmail.com"}
    result = merge(BASE, local, dict(BASE))
    assert result.apply == {}
    assert result.base["email"] == "lotte@club.be"  # the base stays: Twizzit never agreed
    assert not result.has_conflicts


def test_both_changed_to_the_same_value_agree_and_move_the_base():
    local = {**BASE, "jersey_number": 9}
    result = merge(BASE, local, {**BASE, "jersey_number": 9})
    assert result.apply == {}
    assert result.base["jersey_number"] == 9
    assert not result.has_conflicts


def test_both_changed_differently_is_a_conflict_listing_all_three_values():
    local = {**BASE, "email": "lotte@shotspot.be"}
    remote = {**BASE, "email": "lotte@twizzit.be", "last_name": "Maes"}
    result = merge(BASE, local, remote)
    assert result.conflicts == {
        "email": {
            "base": "lotte@club.be",
            "shotspot": "lotte@shotspot.be",
            "twizzit": "lotte@twizzit.be",
        }
    }
    assert result.apply == {"last_name": "Maes"}  # the field that does not conflict still applies
    assert result.base["email"] == "lotte@club.be"


def test_policy_twizzit_wins_settles_the_conflict_with_twizzit_value():
    local = {**BASE, "email": "lotte@shotspot.be"}
    result = merge(BASE, local, {**BASE, "email": "lotte@twizzit.be"}, policy="twizzit_wins")
    assert result.apply == {"email": "lotte@twizzit.be"}
    assert result.policy_decided == ["email"]
    assert not result.has_conflicts


def test_policy_shotspot_wins_keeps_the_local_value_and_acknowledges_twizzit():
    local = {**BASE, "email": "lotte@shotspot.be"}
    result = merge(BASE, local, {**BASE, "email": "lotte@twizzit.be"}, policy="shotspot_wins")
    assert result.apply == {}
    assert result.base["email"] == "lotte@twizzit.be"  # next sync: Twizzit unchanged → keep local
    assert result.policy_decided == ["email"]


def test_first_link_fills_empty_local_fields_from_twizzit():
    local = {"last_name": "Peeters", "email": "", "jersey_number": None}
    result = merge({}, local, BASE)
    assert result.apply == {"email": "lotte@club.be", "jersey_number": 7}
    assert result.base == BASE


def test_first_link_with_different_non_empty_values_is_a_conflict_without_base():
    local = {**BASE, "email": "lotte@shotspot.be"}
    result = merge({}, local, BASE)
    assert result.conflicts == {
        "email": {"base": None, "shotspot": "lotte@shotspot.be", "twizzit": "lotte@club.be"}
    }
    assert "email" not in result.base


def test_first_link_treats_a_local_default_as_never_filled_in():
    local = {"gender": "unknown", "has_profile_image": False}
    remote = {"gender": "female", "has_profile_image": True}
    defaults = {"gender": "unknown", "has_profile_image": False}
    result = merge({}, local, remote, defaults=defaults)
    assert result.apply == remote
    assert not result.has_conflicts
