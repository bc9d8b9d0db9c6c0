"""The admin: every page answers, and the Twizzit password is write-only."""

import logging

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.conftest import CLUB_PASSWORD
from twizzit.models import TwizzitConfig


@pytest.fixture
def admin_client_logged_in(client, admin_user):
    client.force_login(admin_user)
    return client


def admin_urls():
    for model in admin.site._registry:
        opts = model._meta
        yield reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


@pytest.mark.django_db
def test_every_admin_changelist_answers_200(admin_client_logged_in, config):
    for url in admin_urls():
        response = admin_client_logged_in.get(url)
        assert response.status_code == 200, url


def test_change_page_never_renders_the_password(admin_client_logged_in, config, caplog):
    caplog.set_level(logging.DEBUG)
    url = reverse("admin:twizzit_twizzitconfig_change", args=[config.pk])
    html = admin_client_logged_in.get(url).content.decode()
    assert "Set (encrypted)" in html
    assert 'name="api_password"' in html
    assert CLUB_PASSWORD not in html
    assert config.api_password_encrypted not in html
    assert CLUB_PASSWORD not in caplog.text


def _form_data(config, **overrides):
    data = {
        "organization_id": config.organization_id,
        "organization_name": config.organization_name,
        "api_base_url": config.api_base_url,
        "api_username": config.api_username,
        "api_password": "",
        "sync_enabled": "on",
        "auto_sync_frequency": "daily",
        "sync_players": "on",
        "sync_teams": "on",
        "sync_rosters": "on",
        "season_scope": "current",
        "conflict_policy": "manual",
        "role_overrides": "{}",
        "event_type_overrides": "{}",
        "monthly_call_limit": 5000,
        # The "Club roles" table's management form (an empty inline formset).
        "access-TOTAL_FORMS": 0,
        "access-INITIAL_FORMS": 0,
    }
    data.update(overrides)
    return data


def test_saving_without_a_password_keeps_the_stored_one(admin_client_logged_in, config):
    url = reverse("admin:twizzit_twizzitconfig_change", args=[config.pk])
    response = admin_client_logged_in.post(url, _form_data(config, organization_name="Renamed"))
    assert response.status_code == 302
    config.refresh_from_db()
    assert config.organization_name == "Renamed"
    assert config.get_password() == CLUB_PASSWORD


def test_a_new_password_is_sealed(admin_client_logged_in, config):
    url = reverse("admin:twizzit_twizzitconfig_change", args=[config.pk])
    admin_client_logged_in.post(url, _form_data(config, api_password="N3w-pass"))
    config.refresh_from_db()
    assert config.get_password() == "N3w-pass"


def test_adding_a_connection_without_password_is_refused(admin_client_logged_in, db):
    url = reverse("admin:twizzit_twizzitconfig_add")
    fake = TwizzitConfig(organization_id=1, organization_name="X", api_username="u")
    response = admin_client_logged_in.post(url, _form_data(fake))
    assert response.status_code == 200
    assert "A new connection needs the Twizzit password." in response.content.decode()
    assert TwizzitConfig.objects.count() == 0


def test_change_page_still_opens_when_the_key_is_wrong(admin_client_logged_in, config):
    from django.test import override_settings

    with override_settings(TWIZZIT_ENCRYPTION_KEY="cd" * 32):
        url = reverse("admin:twizzit_twizzitconfig_change", args=[config.pk])
        assert admin_client_logged_in.get(url).status_code == 200


def test_unknown_role_in_overrides_is_refused_with_a_message(admin_client_logged_in, config):
    url = reverse("admin:twizzit_twizzitconfig_change", args=[config.pk])
    response = admin_client_logged_in.post(
        url, _form_data(config, role_overrides='{"12": "goalkeeper"}')
    )
    assert response.status_code == 200
    assert "Role overrides:" in response.content.decode()
    config.refresh_from_db()
    assert config.role_overrides == {}


def test_every_n_minutes_needs_the_minutes(admin_client_logged_in, config):
    url = reverse("admin:twizzit_twizzitconfig_change", args=[config.pk])
    response = admin_client_logged_in.post(url, _form_data(config, auto_sync_frequency="custom"))
    assert response.status_code == 200
    assert "Set the interval" in response.content.decode()


def test_a_connection_with_a_sync_in_progress_cannot_be_deleted_in_the_admin(
    admin_client_logged_in, config
):
    from twizzit.sync.runs import create_run

    create_run(config, "full", dry_run=False, trigger="admin", user=None)
    url = reverse("admin:twizzit_twizzitconfig_delete", args=[config.pk])
    assert admin_client_logged_in.post(url, {"post": "yes"}).status_code == 403
    assert TwizzitConfig.objects.filter(pk=config.pk).exists()
