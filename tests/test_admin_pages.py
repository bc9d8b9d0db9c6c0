"""Every admin page answers: each registered model's list, add and change page as superuser."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from tests.admin_data import populate
from twizzit.models import EntityType, Notification, SyncConflict, SyncLog, SyncType

# Rows whose page differs by kind: every one is opened, not only the first.
EVERY_ROW = (SyncConflict, SyncLog, Notification)


def pages():
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        yield model, model_admin, name


@pytest.mark.django_db
def test_every_list_add_and_change_page_of_the_admin_answers_without_a_server_error(
    client, admin_user, sandbox_config, sandbox
):
    populate(sandbox_config, sandbox, admin_user)
    client.force_login(admin_user)
    opened, missing = [], []
    for model, _model_admin, name in pages():
        urls = [reverse(f"{name}_changelist"), reverse(f"{name}_add")]
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            missing.append(name)
        else:
            try:
                urls.append(reverse(f"{name}_change", args=[obj.pk]))
            except NoReverseMatch:
                missing.append(name)
        for url in urls:
            response = client.get(url)
            # 403: an add page the admin refuses on purpose (read-only records).
            assert response.status_code in (200, 403), (url, response.status_code)
            opened.append(url)
    assert not missing, f"no row to open the change page of: {missing}"
    assert len(opened) == 3 * len(admin.site._registry)


@pytest.mark.django_db
def test_every_conflict_sync_log_and_notification_page_opens_whatever_its_kind(
    client, admin_user, sandbox_config, sandbox
):
    populate(sandbox_config, sandbox, admin_user)
    assert SyncConflict.objects.filter(entity_type=EntityType.GAME).exists()
    types = set(SyncLog.objects.values_list("sync_type", flat=True))
    assert {SyncType.FULL, SyncType.GAMES, SyncType.SELECTED} <= types
    assert Notification.objects.exists()
    client.force_login(admin_user)
    for model in EVERY_ROW:
        opts = model._meta
        for pk in model._default_manager.values_list("pk", flat=True):
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
