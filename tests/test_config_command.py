"""`manage.py twizzit_config`: add, list, remove; bad input writes nothing."""

import io
import json
import logging

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import CLUB_PASSWORD
from twizzit.models import PlayerMapping, TwizzitConfig


def run(*args, stdin=""):
    out = io.StringIO()
    import sys

    saved = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        call_command("twizzit_config", *args, stdout=out)
    finally:
        sys.stdin = saved
    return out.getvalue()


ADD = ["add", "--org", "77", "--name", "KC Gent", "--username", "gent-api", "--password-stdin"]


@pytest.mark.django_db
def test_add_seals_the_password_read_from_stdin():
    out = run(*ADD, stdin=CLUB_PASSWORD + "\n")
    assert "Added connection KC Gent (77)" in out
    config = TwizzitConfig.objects.get(organization_id=77)
    assert config.get_password() == CLUB_PASSWORD
    assert CLUB_PASSWORD not in config.api_password_encrypted
    assert config.api_base_url == "https://app.twizzit.com"


@pytest.mark.django_db
def test_list_json_never_shows_the_password(caplog):
    caplog.set_level(logging.DEBUG)
    run(*ADD, stdin=CLUB_PASSWORD + "\n")
    out = run("list", "--json")
    rows = json.loads(out)
    assert rows[0]["organization_id"] == 77
    assert rows[0]["password_set"] is True
    assert CLUB_PASSWORD not in out
    assert "api_password_encrypted" not in out
    assert CLUB_PASSWORD not in caplog.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--policy": "coinflip"}, "Unknown policy 'coinflip'"),
        ({"--frequency": "yearly"}, "Unknown frequency 'yearly'"),
        ({"--org": "abc"}, "--org must be a Twizzit organisation number"),
        ({"--url": "http://twizzit.example.com"}, "must use https"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(change, message):
    args = list(ADD)
    for flag, value in change.items():
        if flag in args:
            args[args.index(flag) + 1] = value
        else:
            args[1:1] = [flag, value]
    with pytest.raises(CommandError) as excinfo:
        run(*args, stdin=CLUB_PASSWORD + "\n")
    assert excinfo.value.returncode == 2
    assert message in str(excinfo.value)
    assert "\n" not in str(excinfo.value)
    assert TwizzitConfig.objects.count() == 0


@pytest.mark.django_db
def test_an_organisation_already_configured_is_refused():
    run(*ADD, stdin=CLUB_PASSWORD + "\n")
    with pytest.raises(CommandError) as excinfo:
        run(*ADD, stdin="another\n")
    assert excinfo.value.returncode == 2
    assert "Organisation 77 is already configured." in str(excinfo.value)
    assert TwizzitConfig.objects.get().get_password() == CLUB_PASSWORD


@pytest.mark.django_db
def test_http_to_loopback_is_allowed_for_the_sandbox():
    args = [*ADD, "--url", "http://127.0.0.1:8765"]
    run(*args, stdin="sandbox\n")
    assert TwizzitConfig.objects.get().api_base_url == "http://127.0.0.1:8765"


@pytest.mark.django_db
def test_remove_deletes_the_connection_and_says_how_many_mappings():
    run(*ADD, stdin=CLUB_PASSWORD + "\n")
    config = TwizzitConfig.objects.get()
    PlayerMapping.objects.create(config=config, twizzit_contact_id=1)
    PlayerMapping.objects.create(config=config, twizzit_contact_id=2)
    out = run("remove", "--org", "77")
    assert "Removed connection 77 and 2 mappings" in out
    assert TwizzitConfig.objects.count() == 0


@pytest.mark.django_db
def test_remove_of_an_unknown_organisation_exits_2():
    with pytest.raises(CommandError) as excinfo:
        run("remove", "--org", "999")
    assert excinfo.value.returncode == 2


@pytest.mark.django_db
def test_remove_is_refused_while_a_sync_of_the_connection_is_pending():
    from twizzit.sync.runs import create_run

    run(*ADD, stdin=CLUB_PASSWORD + "\n")
    create_run(TwizzitConfig.objects.get(), "full", dry_run=False, trigger="cli", user=None)
    with pytest.raises(CommandError) as excinfo:
        run("remove", "--org", "77")
    assert excinfo.value.returncode == 2
    assert "already in progress" in str(excinfo.value)
    assert TwizzitConfig.objects.filter(organization_id=77).exists()
