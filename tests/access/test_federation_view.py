"""The federation view: one row per connection for federation admins, its metrics, its
sorting and filter, and its three bulk actions (each checked in the database)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.sandbox import connect
from tests.task_queue import own_queue, purge_queue
from twizzit.models import (
    PlayerMapping,
    SyncConflict,
    SyncFrequency,
    SyncLog,
    SyncStatus,
    TwizzitConfig,
)
from twizzit.services.access import grant

URL = "/admin/twizzit/twizzitconfig/federation/"


@pytest.fixture(autouse=True)
def queue(monkeypatch):
    own_queue(monkeypatch)
    yield
    purge_queue()


@pytest.fixture
def two(db, sandbox):
    """Club A: 19 of 20 runs successful, 2 conflicts on 100 records; club B never ran."""
    a = connect(sandbox, auto_sync_frequency=SyncFrequency.DAILY)
    b = connect(sandbox, organization_id=2002, organization_name="KC Beta")
    now = timezone.now()
    for n in range(20):
        log = SyncLog.objects.create(
            config=a, status=SyncStatus.FAILED if n == 0 else SyncStatus.SUCCESS
        )
        SyncLog.objects.filter(pk=log.pk).update(created_at=now - timedelta(days=n + 1))
    PlayerMapping.objects.bulk_create(
        PlayerMapping(config=a, twizzit_contact_id=i) for i in range(100)
    )
    for i in range(2):
        SyncConflict.objects.create(
            config=a, entity_type="player", twizzit_id=i, conflict_type="data_mismatch"
        )
    return a, b


def test_a_federation_admin_sees_every_connection_with_its_rates(client, admin_user, two):
    client.force_login(admin_user)
    page = client.get(URL)
    assert page.status_code == 200
    text = page.text
    assert "KBKB Sandbox Club (1001)" in text and "KC Beta (2002)" in text
    assert "95.0 %" in text  # 19 of 20
    assert "2.0 %" in text  # 2 conflicts on 100 records: below target
    assert "Below target" in text and "Never" in text
    # Filter by the last run's status, and sort by pending conflicts, most first.
    only_never = client.get(URL + "?status=never").text
    assert "KC Beta (2002)" in only_never and "KBKB Sandbox Club (1001)" not in only_never
    ordered = client.get(URL + "?o=-pending").text
    assert ordered.index("KBKB Sandbox Club (1001)") < ordered.index("KC Beta (2002)")


def test_the_bulk_actions_pause_schedules_and_queue_full_syncs(client, admin_user, two):
    a, b = two
    client.force_login(admin_user)
    response = client.post(URL, {"action": "pause", "selected": [a.pk, b.pk]}, follow=True)
    assert "Pause schedules of selected" in response.text
    a.refresh_from_db()
    assert a.auto_sync_frequency == SyncFrequency.MANUAL
    before = SyncLog.objects.filter(config=b).count()
    client.post(URL, {"action": "full_sync", "selected": [b.pk]})
    assert SyncLog.objects.filter(config=b, status=SyncStatus.PENDING).count() == 1
    assert SyncLog.objects.filter(config=b).count() == before + 1


def test_test_selected_checks_the_credentials_of_each_connection(client, admin_user, two):
    a, _ = two
    client.force_login(admin_user)
    response = client.post(URL, {"action": "test", "selected": [a.pk]}, follow=True)
    assert "credentials accepted" in response.text
    a.refresh_from_db()
    assert a.credentials_ok is True


def test_a_club_admin_may_not_open_the_federation_view(client, django_user_model, two):
    a, _ = two
    person = django_user_model.objects.create_user("kim", is_staff=True)
    grant(person, a, "admin")
    client.force_login(person)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"action": "pause", "selected": [a.pk]}).status_code == 403
    assert TwizzitConfig.objects.get(pk=a.pk).auto_sync_frequency == SyncFrequency.DAILY
