"""Connections over the API: created, changed, tested and deleted through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shotspot.models import Player
from tests.api.data import synced_player, synced_season, synced_team
from tests.sandbox import connect
from twizzit.models import TwizzitConfig

URL = "/api/twizzit/connections/"


def new_connection(**overrides):
    return {
        "organization_id": 3003,
        "organization_name": "KC Newcomers",
        "api_base_url": "https://app.twizzit.com",
        "api_username": "newcomer-api",
        "api_password": "  spaces kept  ",
        **overrides,
    }


def test_a_new_connection_keeps_its_password_sealed_and_never_shows_it(admin_api):
    response = admin_api.post(URL, new_connection())
    assert response.status_code == 201
    data = response.json()
    assert data["password_set"] is True
    assert "api_password" not in data
    config = TwizzitConfig.objects.get(pk=data["id"])
    assert config.get_password() == "  spaces kept  "
    assert "spaces kept" not in config.api_password_encrypted
    assert (data["organization_id"], data["auto_sync_frequency"]) == (3003, "daily")


def test_plain_http_to_a_remote_host_is_refused_and_nothing_is_saved(admin_api):
    response = admin_api.post(URL, new_connection(api_base_url="http://twizzit.example.org"))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "must use https" in body["errors"]["api_base_url"][0]
    assert body["detail"].startswith("api_base_url: ")
    assert not TwizzitConfig.objects.exists()


def test_plain_http_to_the_local_sandbox_is_allowed(admin_api, sandbox):
    response = admin_api.post(URL, new_connection(api_base_url=sandbox.url))
    assert response.status_code == 201
    assert response.json()["api_base_url"] == sandbox.url


def test_a_connection_needs_a_password(admin_api):
    body = new_connection()
    del body["api_password"]
    response = admin_api.post(URL, body)
    assert response.status_code == 400
    assert response.json()["errors"] == {"api_password": ["This field is required."]}


def test_a_second_connection_to_the_same_organisation_is_refused(admin_api, config):
    response = admin_api.post(URL, new_connection(organization_id=config.organization_id))
    assert response.status_code == 400
    assert "organization_id" in response.json()["errors"]
    assert TwizzitConfig.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"abc": "staff"}, "role_overrides"),
        ({"12": "captain"}, "role_overrides.12"),
    ],
)
def test_role_overrides_must_name_function_ids_and_known_roles(admin_api, overrides, field):
    response = admin_api.post(URL, new_connection(role_overrides=overrides))
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_role_overrides_are_kept_as_given(admin_api):
    response = admin_api.post(URL, new_connection(role_overrides={"12": "staff", "13": "coach"}))
    assert response.status_code == 201
    config = TwizzitConfig.objects.get()
    assert config.role_overrides == {"12": "staff", "13": "coach"}


def test_values_of_the_wrong_json_type_are_refused_not_coerced(admin_api):
    response = admin_api.post(URL, new_connection(organization_name=123, sync_enabled="yes"))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["organization_name"] == ["Must be a string."]
    assert errors["sync_enabled"] == ["Must be true or false."]


def test_changing_settings_keeps_the_password_and_the_cached_token(admin_api, config):
    config.set_token("cached", timezone.now() + timedelta(minutes=30))
    config.save()
    response = admin_api.patch(f"{URL}{config.pk}/", {"auto_sync_frequency": "weekly"})
    assert response.status_code == 200
    config.refresh_from_db()
    assert config.auto_sync_frequency == "weekly"
    assert config.get_password() == "Korf-Secret-Pa55!"
    assert config.get_token() == "cached"


def test_a_new_password_replaces_the_old_one_and_drops_the_cached_token(admin_api, config):
    config.set_token("cached", timezone.now() + timedelta(minutes=30))
    config.save()
    response = admin_api.patch(f"{URL}{config.pk}/", {"api_password": "brand-new"})
    assert response.status_code == 200
    config.refresh_from_db()
    assert config.get_password() == "brand-new"
    assert config.api_token_encrypted == ""


def test_put_replaces_the_settings_and_needs_the_required_ones(admin_api, config):
    response = admin_api.put(f"{URL}{config.pk}/", {"organization_name": "Renamed"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"organization_id", "api_username"}
    renamed = {"organization_id": 4242, "organization_name": "Renamed", "api_username": "new-user"}
    response = admin_api.put(f"{URL}{config.pk}/", renamed)
    assert response.status_code == 400  # another account: its password, typed again
    assert set(response.json()["errors"]) == {"api_password"}
    response = admin_api.put(f"{URL}{config.pk}/", {**renamed, "api_password": "New-Pa55!"})
    assert response.status_code == 200
    config.refresh_from_db()
    assert (config.organization_name, config.api_username) == ("Renamed", "new-user")


def test_an_invalid_change_leaves_the_connection_as_it_was(admin_api, config):
    response = admin_api.patch(f"{URL}{config.pk}/", {"api_base_url": "http://remote.example"})
    assert response.status_code == 400
    config.refresh_from_db()
    assert config.api_base_url == "https://app.twizzit.com"


def test_deleting_a_connection_removes_its_mappings_says_how_many_and_keeps_players(
    admin_api, config
):
    synced_player(config, 1)
    synced_player(config, 2, first="Bram")
    synced_team(config, 10)
    synced_season(config, 20)
    response = admin_api.delete(f"{URL}{config.pk}/")
    assert response.status_code == 200
    assert response.json() == {
        "organization_id": 4242,
        "mappings_removed": {"players": 2, "teams": 1, "seasons": 1, "clubs": 0},
        "total_mappings": 4,
    }
    assert not TwizzitConfig.objects.exists()
    assert Player.objects.count() == 2


def test_a_connection_with_a_sync_in_progress_cannot_be_deleted(admin_api, config):
    from twizzit.sync.runs import create_run

    run = create_run(config, "full", dry_run=False, trigger="api", user=None)
    response = admin_api.delete(f"{URL}{config.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "sync_in_progress"
    assert response.json()["sync_log"] == run.pk
    assert TwizzitConfig.objects.filter(pk=config.pk).exists()


def test_testing_typed_in_credentials_reads_twizzit_and_saves_nothing(admin_api, sandbox):
    response = admin_api.post(
        f"{URL}test/",
        {
            "organization_id": sandbox.organization_id,
            "api_base_url": sandbox.url,
            "api_username": sandbox.username,
            "api_password": sandbox.password,
        },
    )
    assert response.status_code == 200
    report = response.json()
    assert report["ok"] is True
    assert report["readable"] == {"seasons": True, "groups": True, "contacts": True}
    assert report["api_calls"] >= 4
    assert not TwizzitConfig.objects.exists()


def test_a_wrong_password_is_reported_as_refused_credentials(admin_api, sandbox):
    response = admin_api.post(
        f"{URL}test/",
        {
            "organization_id": sandbox.organization_id,
            "api_base_url": sandbox.url,
            "api_username": sandbox.username,
            "api_password": "not-the-password",
        },
    )
    assert response.status_code == 200
    report = response.json()
    assert (report["ok"], report["credentials_accepted"]) == (False, False)
    assert report["problems"]
    assert "not-the-password" not in response.content.decode()


def test_typed_in_credentials_to_a_remote_http_host_are_refused_before_any_call(admin_api):
    response = admin_api.post(
        f"{URL}test/",
        {
            "organization_id": 1,
            "api_base_url": "http://twizzit.example.org",
            "api_username": "u",
            "api_password": "p",
        },
    )
    assert response.status_code == 400
    assert "api_base_url" in response.json()["errors"]


def test_testing_a_saved_connection_reports_what_it_may_read(coach_api, sandbox_config):
    response = coach_api.post(f"{URL}{sandbox_config.pk}/test/")
    assert response.status_code == 200
    assert response.json()["ok"] is True


def test_testing_a_connection_to_a_closed_organisation_says_so(admin_api, sandbox):
    closed = connect(sandbox, organization_id=2002, organization_name="KC Elders")
    report = admin_api.post(f"{URL}{closed.pk}/test/").json()
    assert report["ok"] is False
    assert report["organization_readable"] is False
    assert any("2002" in problem for problem in report["problems"])
