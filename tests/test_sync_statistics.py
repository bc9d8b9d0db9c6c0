"""A sync keeps PostgreSQL's planner statistics up with the tables it fills.

Without them the planner guesses, and a page's lookups scan whole tables: each page of a
first sync costs more than the last (see twizzit/sync/statistics.py).
"""

import pytest
from django.db import connection

from tests.sandbox import connect
from twizzit.sync import run_sync


def estimated_rows(table: str) -> float:
    """The planner's row count for a table, as its last analysis left it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
@pytest.mark.django_db
def test_a_first_sync_leaves_the_players_and_their_mappings_analyzed(make_sandbox):
    sandbox = make_sandbox(contacts=2500, groups=10)
    config = connect(sandbox)

    log = run_sync(config)

    assert log.status == "success"
    assert log.stats["players"]["created"] > 2000
    # Analyzed after 1,000 and 2,000 rows: the planner knows thousands, not a guess.
    for table in ("shotspot_player", "twizzit_playermapping"):
        assert 2000 <= estimated_rows(table) <= 2500, table


@pytest.mark.django_db
def test_a_contact_is_linked_by_name_and_birth_date_among_players_born_that_day(sandbox):
    from shotspot.models import Player
    from twizzit.mappers.contacts import map_contact
    from twizzit.models import PlayerMapping

    contact = next(c for c in sandbox.state.contacts if map_contact(c).fields["date_of_birth"])
    fields = map_contact(contact).fields
    born = fields["date_of_birth"]
    twin = Player.objects.create(
        first_name=fields["first_name"], last_name=fields["last_name"], date_of_birth=born
    )
    # Same day, other names: found by the query's date, left out by the names.
    other = Player.objects.create(first_name="Other", last_name="Person", date_of_birth=born)
    config = connect(sandbox)

    log = run_sync(config)

    assert log.status == "success"
    mapping = PlayerMapping.objects.get(config=config, twizzit_contact_id=contact["id"])
    assert mapping.player_id == twin.pk
    assert not PlayerMapping.objects.filter(config=config, player=other).exists()
