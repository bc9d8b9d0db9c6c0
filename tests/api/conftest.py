"""Fixtures of the API tests: the four kinds of caller, a connection with known secrets.

Callers: anonymous, a plain logged-in user (no role), a coach (group `coach`) and an
admin (group `twizzit-admin`; staff alone is no Twizzit role). Authenticated callers use a
DRF token, like the REST clients do; the CSRF tests log in with a session instead.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.task_queue import own_queue, purge_queue, run_task, take_queued_tasks
from twizzit.api.permissions import ADMIN_GROUP, COACH_GROUP
from twizzit.services.connections import create_connection

__all__ = ["run_task", "take_queued_tasks"]  # used by the API tests from here

KNOWN_PASSWORD = "Api-Known-Pa55word!"
KNOWN_TOKEN = "cached-twizzit-token-0123456789abcdef"


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Throttle history lives in the cache: one test's requests never throttle the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def task_queue(monkeypatch):
    """A task queue of this test process alone: no worker (ours or another run's on the
    same Redis) picks up what the API queues, and the test can look at it."""
    own_queue(monkeypatch)
    yield
    purge_queue()


@pytest.fixture
def make_user(db, django_user_model):
    def make(username: str, *groups: str, staff: bool = False):
        user = django_user_model.objects.create_user(username)
        user.is_staff = staff
        user.save()
        for name in groups:
            user.groups.add(Group.objects.get_or_create(name=name)[0])
        return user

    return make


@pytest.fixture
def admin(make_user):
    return make_user("ada-admin", ADMIN_GROUP, staff=True)


@pytest.fixture
def group_admin(make_user):
    return make_user("gert-group-admin", ADMIN_GROUP)


@pytest.fixture
def coach(make_user):
    return make_user("cora-coach", COACH_GROUP)


@pytest.fixture
def plain_user(make_user):
    return make_user("pim-plain")


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def admin_api(admin):
    return client_for(admin)


@pytest.fixture
def coach_api(coach):
    return client_for(coach)


@pytest.fixture
def secret_config(db):
    """A connection whose password and cached token the tests know (and look for)."""
    config = create_connection(
        password=KNOWN_PASSWORD,
        organization_id=777,
        organization_name="KC Secret Keepers",
        api_base_url="https://app.twizzit.com",
        api_username="keeper-api",
    )
    config.set_token(KNOWN_TOKEN, timezone.now() + timedelta(minutes=30))
    config.save()
    return config
