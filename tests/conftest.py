"""Shared fixtures: connections, keys and users; the sandbox Twizzit (tests.sandbox)."""

import pytest
from django.test import override_settings
from django_q.conf import Conf

from twizzit.services.connections import create_connection

pytest_plugins = ["tests.sandbox"]

OLD_KEY = "ff" * 32
NEW_KEY = "ab" * 32
CLUB_PASSWORD = "Korf-Secret-Pa55!"


@pytest.fixture
def config(db):
    """A connection to a Twizzit organisation (not reachable: no HTTP in these tests)."""
    return create_connection(
        password=CLUB_PASSWORD,
        organization_id=4242,
        organization_name="KC Antwerpen",
        api_base_url="https://app.twizzit.com",
        api_username="club-api",
    )


@pytest.fixture
def old_key_then_new_key():
    """Returns a context switcher: seal under OLD_KEY, then run with NEW_KEY current."""

    def use(current, old=()):
        return override_settings(
            TWIZZIT_ENCRYPTION_KEY=current, TWIZZIT_ENCRYPTION_KEYS_OLD=list(old)
        )

    return use


@pytest.fixture
def admin_user(db, django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.com", "admin-pass")


@pytest.fixture
def committed(monkeypatch, django_capture_on_commit_callbacks):
    """Runs an action, then what it queued on commit; queued tasks run in this process."""
    monkeypatch.setattr(Conf, "SYNC", True)

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run
