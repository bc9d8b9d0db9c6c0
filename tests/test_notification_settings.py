"""Who is told and about what: set on the connection from the CLI, the REST API and the
admin, validated the same way everywhere; what was sent is readable in the admin."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from tests.conftest import CLUB_PASSWORD
from twizzit.models import Notification, TwizzitConfig

ADD = ["add", "--org", "77", "--name", "KC Gent", "--username", "gent-api", "--password-stdin"]


def cli(*args, stdin=""):
    out = io.StringIO()
    saved, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        call_command("twizzit_config", *args, stdout=out)
    finally:
        sys.stdin = saved
    return out.getvalue()


# --- the command line -----------------------------------------------------------------------
@pytest.mark.django_db
def test_add_takes_the_notification_addresses():
    cli(*ADD, "--notify", "ops@club.be,Coach@Club.be , ops@club.be", stdin=CLUB_PASSWORD + "\n")

    config = TwizzitConfig.objects.get(organization_id=77)
    assert config.notify_emails == "ops@club.be, Coach@Club.be"


@pytest.mark.django_db
def test_add_with_a_bad_address_exits_2_naming_it_and_writes_nothing():
    with pytest.raises(CommandError) as excinfo:
        cli(*ADD, "--notify", "ops@club.be,not-an-address", stdin=CLUB_PASSWORD + "\n")

    assert excinfo.value.returncode == 2
    assert "notify_emails: Not an e-mail address: not-an-address." in str(excinfo.value)
    assert not TwizzitConfig.objects.exists()


@pytest.mark.django_db
def test_update_changes_addresses_and_kinds_and_keeps_everything_else():
    cli(*ADD, "--notify", "ops@club.be", stdin=CLUB_PASSWORD + "\n")

    out = cli(
        "update", "--org", "77", "--notify", "board@club.be", "--notify-kinds", "failed,quota"
    )

    assert "Updated connection KC Gent (77)" in out
    config = TwizzitConfig.objects.get(organization_id=77)
    assert config.notify_emails == "board@club.be"
    switches = (
        config.notify_failed_runs,
        config.notify_stale_runs,
        config.notify_conflicts,
        config.notify_quota,
        config.notify_recovered,
    )
    assert switches == (True, False, False, True, False)
    assert (config.organization_name, config.get_password()) == ("KC Gent", CLUB_PASSWORD)
    listed = cli("list", "--json")
    assert '"notify_kinds": [\n      "failed",\n      "quota"\n    ]' in listed

    cli("update", "--org", "77", "--notify", "", "--notify-kinds", "all")
    config.refresh_from_db()
    assert config.notify_emails == ""  # back to the superusers
    assert config.notify_conflicts and config.notify_recovered


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--notify", "ops@club"], "Not an e-mail address: ops@club."),
        (["--notify-kinds", "failed,weather"], "Unknown notification kind(s) weather"),
        (["--policy", "coinflip"], "Unknown policy 'coinflip'"),
        ([], "Nothing to change"),
    ],
)
def test_update_refuses_bad_input_and_changes_nothing(args, message):
    cli(*ADD, "--notify", "ops@club.be", stdin=CLUB_PASSWORD + "\n")

    with pytest.raises(CommandError) as excinfo:
        cli("update", "--org", "77", *args)

    assert excinfo.value.returncode == 2
    assert message in str(excinfo.value)
    config = TwizzitConfig.objects.get()
    assert (config.notify_emails, config.notify_failed_runs) == ("ops@club.be", True)


@pytest.mark.django_db
def test_update_can_change_the_password_from_stdin():
    cli(*ADD, stdin=CLUB_PASSWORD + "\n")

    out = cli("update", "--org", "77", "--password-stdin", stdin="New-Pa55\n")

    assert "password" in out
    assert "New-Pa55" not in out
    assert TwizzitConfig.objects.get().get_password() == "New-Pa55"


# --- the REST API -----------------------------------------------------------------------------
@pytest.fixture
def api(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


def test_the_api_reads_and_writes_addresses_as_a_list(api, config):
    url = f"/api/twizzit/connections/{config.pk}/"
    assert api.get(url).json()["notify_emails"] == []

    response = api.patch(
        url, {"notify_emails": ["ops@club.be", "coach@club.be"], "notify_quota": False}
    )

    assert response.status_code == 200
    assert response.json()["notify_emails"] == ["ops@club.be", "coach@club.be"]
    assert response.json()["notify_quota"] is False
    config.refresh_from_db()
    assert (config.notify_emails, config.notify_quota) == ("ops@club.be, coach@club.be", False)


def test_the_api_refuses_a_bad_address_and_keeps_the_list(api, config):
    url = f"/api/twizzit/connections/{config.pk}/"
    api.patch(url, {"notify_emails": ["ops@club.be"]})

    response = api.patch(url, {"notify_emails": ["ops@club.be", "nobody"]})

    assert response.status_code == 400
    assert response.json()["errors"]["notify_emails"] == ["Not an e-mail address: nobody."]
    response = api.patch(url, {"notify_emails": "ops@club.be"})
    assert response.status_code == 400
    config.refresh_from_db()
    assert config.notify_emails == "ops@club.be"


# --- the admin ----------------------------------------------------------------------------------
@pytest.fixture
def logged_in(client, admin_user):
    client.force_login(admin_user)
    return client


def connection_form(config, **changes):
    data = {
        "organization_id": config.organization_id,
        "organization_name": config.organization_name,
        "api_base_url": config.api_base_url,
        "api_username": config.api_username,
        "api_password": "",
        "sync_enabled": "on",
        "auto_sync_frequency": config.auto_sync_frequency,
        "season_scope": config.season_scope,
        "conflict_policy": config.conflict_policy,
        "role_overrides": "{}",
        "monthly_call_limit": config.monthly_call_limit,
        "sync_players": "on",
        "sync_teams": "on",
        "sync_rosters": "on",
        "notify_failed_runs": "on",
        "notify_stale_runs": "on",
        "notify_conflicts": "on",
        "notify_quota": "on",
        "notify_recovered": "on",
        # The "Club roles" table's management form (an empty inline formset).
        "access-TOTAL_FORMS": 0,
        "access-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_admin_form_validates_and_tidies_the_addresses(logged_in, config):
    url = reverse("admin:twizzit_twizzitconfig_change", args=[config.pk])
    assert "Notifications" in logged_in.get(url).content.decode()

    bad = logged_in.post(url, connection_form(config, notify_emails="ops@club.be\nwho?"))
    assert bad.status_code == 200
    assert "Not an e-mail address: who?." in bad.content.decode()

    good = logged_in.post(
        url, connection_form(config, notify_emails="ops@club.be\ncoach@club.be", notify_quota=None)
    )
    assert good.status_code == 302
    config.refresh_from_db()
    assert (config.notify_emails, config.notify_quota) == ("ops@club.be, coach@club.be", False)


def test_sent_notifications_are_listed_and_readable_but_not_editable(logged_in, config):
    notification = Notification.objects.create(
        key="quota-90:1:2026-11",
        kind="quota_warning",
        config=config,
        recipients="ops@club.be",
        subject="[ShotSpot] KC Antwerpen: 90 % of the Twizzit calls for November are used",
        body_text="KC Antwerpen (4242) has used 9000 of its 10000 Twizzit calls.",
        body_html="<p>html</p>",
        status="sent",
        attempts=1,
    )
    listing = logged_in.get(reverse("admin:twizzit_notification_changelist")).content.decode()
    assert "Twizzit calls at 90 %" in listing
    assert "ops@club.be" in listing

    page = logged_in.get(reverse("admin:twizzit_notification_change", args=[notification.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "has used 9000 of its 10000 Twizzit calls." in html
    assert 'name="_save"' not in html
    assert logged_in.get(reverse("admin:twizzit_notification_add")).status_code == 403
