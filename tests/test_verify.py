"""Checking a connection: credentials, organisation, what is readable, and at what cost.

Over real HTTP against the sandbox (tests/sandbox.py).
"""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from tests.conftest import OLD_KEY
from twizzit import crypto
from twizzit.models import PASSWORD, ApiUsage, TwizzitConfig
from twizzit.models.usage import usage_this_month
from twizzit.services.verify import print_report, verify_config, verify_credentials


def credentials(server, **changes) -> dict:
    values = {
        "base_url": server.url,
        "username": server.username,
        "password": server.password,
        "organization_id": server.organization_id,
    }
    return {**values, **changes}


def printed(report) -> str:
    out = io.StringIO()
    print_report(report, out)
    return out.getvalue()


def test_a_healthy_connection_is_readable_for_five_calls_then_four(sandbox, sandbox_config):
    report = verify_config(sandbox_config)

    assert report.ok is True
    assert report.credentials_accepted is True
    assert report.organizations == [{"id": 1001, "name": "KBKB Sandbox Club"}]
    assert report.organization_readable is True
    assert report.readable == {"seasons": True, "groups": True, "contacts": True}
    assert report.problems == []
    assert report.api_calls == 5  # login, organisations, three one-record probes
    assert usage_this_month(sandbox_config)[0] == 5
    assert "organisation 1001 is readable" in report.summary

    again = verify_config(TwizzitConfig.objects.get(pk=sandbox_config.pk))

    assert again.ok is True
    assert again.api_calls == 4  # the cached token is reused
    assert sandbox.state.calls()["authenticate"] == 1


def test_probes_ask_for_a_single_record(sandbox, sandbox_config):
    verify_config(sandbox_config)

    for endpoint in ("groups", "contacts"):
        (request,) = sandbox.state.requests(endpoint)
        assert request["params"]["limit"] == ["1"]


def test_refused_credentials_are_reported_with_twizzits_reason(sandbox):
    report = verify_credentials(**credentials(sandbox, password="not-the-password"))

    assert report.ok is False
    assert report.credentials_accepted is False
    assert report.readable == {"seasons": False, "groups": False, "contacts": False}
    assert "Invalid credentials" in report.summary
    assert report.api_calls == 1
    assert "not-the-password" not in str(report.as_dict())


def test_an_organisation_the_account_may_not_read_stops_after_one_probe(sandbox):
    report = verify_credentials(**credentials(sandbox, organization_id=999))

    assert report.ok is False
    assert report.credentials_accepted is True
    assert report.organization_readable is False
    assert report.summary.startswith("Organisation 999 is not readable")
    assert report.api_calls == 3  # login, organisations, the first probe
    assert "Note: Organisation 999 is not among those this account lists." in printed(report)


def test_an_endpoint_closed_to_the_account_is_reported_and_the_rest_still_checked(sandbox):
    sandbox.state.fail("contacts", status=400, error="no access for current endpoint")

    report = verify_credentials(**credentials(sandbox))

    assert report.ok is False
    assert report.organization_readable is True
    assert report.readable == {"seasons": True, "groups": True, "contacts": False}
    assert report.summary.startswith("Contacts are not readable")


def test_checking_typed_credentials_saves_nothing(db, sandbox):
    report = verify_credentials(**credentials(sandbox))

    assert report.ok is True
    assert ApiUsage.objects.count() == 0
    assert TwizzitConfig.objects.count() == 0


def test_plain_http_to_a_remote_host_is_refused_without_a_call():
    report = verify_credentials(
        base_url="http://app.twizzit.com", username="u", password="p", organization_id=1
    )

    assert report.ok is False
    assert "must use https" in report.summary
    assert report.api_calls == 0


def test_an_unreachable_twizzit_is_a_sentence_not_a_traceback(sandbox, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    sandbox.state.fail("authenticate", status=503, times=4)

    report = verify_credentials(**credentials(sandbox))

    assert report.ok is False
    assert report.summary.startswith("The check could not finish: Twizzit kept failing")
    assert report.api_calls == 4


# --- manage.py twizzit_config test ------------------------------------------------------
def run_test_command(org) -> str:
    out = io.StringIO()
    call_command("twizzit_config", "test", "--org", str(org), stdout=out)
    return out.getvalue()


def test_the_test_command_prints_a_readable_report(sandbox, sandbox_config):
    out = run_test_command(1001)

    assert "Credentials            accepted" in out
    assert "Organisations visible  1001 KBKB Sandbox Club" in out
    assert "Contacts               readable" in out
    assert "API calls spent        5" in out
    assert out.rstrip().splitlines()[-1].startswith("OK: Twizzit accepted the credentials")
    assert sandbox.password not in out


def test_the_test_command_exits_1_with_the_reason_when_twizzit_refuses(sandbox, sandbox_config):
    sandbox_config.set_password("an-old-password")
    sandbox_config.save()

    with pytest.raises(CommandError) as excinfo:
        run_test_command(1001)

    assert excinfo.value.returncode == 1
    assert str(excinfo.value) == (
        "Twizzit refused the credentials of user 'sandbox-api': Invalid credentials"
    )


def test_the_test_command_explains_a_password_sealed_under_a_lost_key(sandbox, sandbox_config):
    with override_settings(TWIZZIT_ENCRYPTION_KEY=OLD_KEY):
        sealed = crypto.encrypt(sandbox.password, purpose=PASSWORD)
    TwizzitConfig.objects.filter(pk=sandbox_config.pk).update(api_password_encrypted=sealed)

    with pytest.raises(CommandError) as excinfo:
        run_test_command(1001)

    assert excinfo.value.returncode == 1
    assert str(excinfo.value).startswith("The stored password cannot be used:")
    assert "TWIZZIT_ENCRYPTION_KEY" in str(excinfo.value)
    assert sum(sandbox.state.calls().values()) == 0
