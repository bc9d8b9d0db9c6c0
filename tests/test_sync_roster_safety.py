"""Rosters are only pruned after a listing Twizzit proved complete.

A membership Twizzit no longer lists is removed, so a roster listing that silently
stops early would delete real memberships. These runs go over real HTTP against the
sandbox, whose group-contacts endpoint can be told to ignore the offset.
"""

import pytest

from shotspot.models import TeamMembership
from tests.sandbox import connect
from twizzit.models import SyncStatus
from twizzit.sync import run_sync


@pytest.fixture
def config(db, sandbox):
    return connect(sandbox)


def test_rosters_a_server_cannot_page_keep_every_membership(config, sandbox):
    first = run_sync(config)
    synced = TeamMembership.objects.filter(sync_source="twizzit").count()
    assert first.status == SyncStatus.SUCCESS
    assert synced > 250  # more than one full page of roster rows

    sandbox.state.ignore_paging("group-contacts", offset=True)
    log = run_sync(config)

    assert log.status == SyncStatus.PARTIAL
    assert "rosters stopped" in log.message
    assert "may be incomplete" in log.message
    assert "nothing was judged deleted" in log.message
    assert TeamMembership.objects.filter(sync_source="twizzit").count() == synced
    assert log.stats["rosters"]["removed"] == 0
