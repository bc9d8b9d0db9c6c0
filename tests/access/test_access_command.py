"""`manage.py twizzit_access`: grant, revoke and list club roles from the command line."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from twizzit.models import ConnectionAccess, ConnectionRole


@pytest.fixture
def kim(django_user_model):
    return django_user_model.objects.create_user("kim")


def run(*args) -> str:
    out = StringIO()
    call_command("twizzit_access", *args, stdout=out)
    return out.getvalue()


def test_grant_gives_a_role_then_replaces_it_and_revoke_takes_it_away(config, kim):
    org = str(config.organization_id)
    said = run("grant", "--user", "kim", "--org", org, "--role", "coach")
    assert "kim is now Coach of" in said
    run("grant", "--user", "kim", "--org", org, "--role", "admin")
    assert list(ConnectionAccess.objects.values_list("user__username", "role")) == [
        ("kim", ConnectionRole.ADMIN)
    ]
    assert "kim\tClub admin" in run("list")
    assert "no longer has a role" in run("revoke", "--user", "kim", "--org", org)
    assert not ConnectionAccess.objects.exists()
    assert run("list").strip() == "No club roles."


def test_an_unknown_user_or_organisation_is_refused_and_nothing_is_granted(config, kim):
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        run("grant", "--user", "nobody", "--org", str(config.organization_id), "--role", "admin")
    with pytest.raises(CommandError, match="No Twizzit connection for organisation 9999"):
        run("grant", "--user", "kim", "--org", "9999", "--role", "admin")
    assert not ConnectionAccess.objects.exists()
