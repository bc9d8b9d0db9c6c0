"""Re-syncing selected Twizzit records over the REST API."""

from __future__ import annotations

import pytest

from tests.api.conftest import run_task, take_queued_tasks
from twizzit.models import PlayerMapping, SyncLog, SyncStatus, SyncType
from twizzit.sync import run_sync


def sync_url(config):
    return f"/api/twizzit/connections/{config.pk}/sync/"


def test_players_with_contact_ids_queue_a_selected_run_that_syncs_only_them(
    admin_api, sandbox, sandbox_config, django_capture_on_commit_callbacks
):
    run_sync(sandbox_config)
    first, second = sorted(sandbox.state.contacts, key=lambda c: c["id"])[:2]
    sandbox.state.update_contact(first["id"], **{"last-name": "Selected"})
    sandbox.state.update_contact(second["id"], **{"last-name": "Not selected"})
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(
            sync_url(sandbox_config),
            {"type": "players", "contact_ids": [first["id"]]},
            format="json",
        )
    assert response.status_code == 202, response.json()
    data = response.json()
    assert (data["sync_type"], data["selection"]) == ("selected", {"contact_ids": [first["id"]]})
    [task] = take_queued_tasks()
    run_task(task)
    log = SyncLog.objects.get(pk=data["id"])
    assert log.status == SyncStatus.SUCCESS
    names = dict(
        PlayerMapping.objects.filter(
            twizzit_contact_id__in=[first["id"], second["id"]]
        ).values_list("twizzit_contact_id", "player__last_name")
    )
    assert names == {first["id"]: "Selected", second["id"]: second["last-name"]}


def test_teams_with_group_ids_queue_a_selected_run(
    admin_api, sandbox_config, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(
            sync_url(sandbox_config), {"type": "teams", "group_ids": [5, 3, 5]}, format="json"
        )
    assert response.status_code == 202
    log = SyncLog.objects.get(pk=response.json()["id"])
    assert (log.sync_type, log.selection) == (SyncType.SELECTED, {"group_ids": [3, 5]})


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "full", "contact_ids": [1]}, "contact_ids"),
        ({"type": "players", "group_ids": [1]}, "group_ids"),
        ({"type": "selected"}, "type"),
        ({"type": "players", "contact_ids": []}, "contact_ids"),
        ({"type": "players", "contact_ids": ["12"]}, "contact_ids.0"),
        ({"type": "players", "contact_ids": list(range(1, 1002))}, "contact_ids"),
    ],
)
def test_a_selection_that_does_not_fit_is_a_400_and_queues_nothing(
    admin_api, sandbox_config, body, field
):
    response = admin_api.post(sync_url(sandbox_config), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert not SyncLog.objects.exists()
