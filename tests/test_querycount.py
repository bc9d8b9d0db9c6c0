"""Rows written, as the benchmark counts them, agree with the database's own statistics."""

import pytest
from django.db import connection

from tests.sandbox import connect
from twizzit.bench.querycount import DATA_TABLES, count_queries
from twizzit.sync import run_sync


def tuples_written_by_this_transaction() -> int:
    """Inserted + updated + deleted tuples of the data tables, as PostgreSQL counts them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
        )
        return sum(count for table, count in cursor.fetchall() if DATA_TABLES.match(table))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own statistics")
@pytest.mark.django_db
def test_rows_written_by_a_sync_match_postgresqls_tuple_statistics(make_sandbox):
    # The test runs in one transaction, so pg_stat_xact_user_tables holds exactly what
    # it wrote, counted by PostgreSQL as it goes (no asynchronous flush to wait for).
    sandbox = make_sandbox(contacts=1000, groups=40)
    config = connect(sandbox)
    for run in ("full sync", "re-sync, 10% changed"):
        if run != "full sync":
            for contact in sandbox.state.contacts[::10]:
                changed = {"last-name": contact["last-name"] + "x"}
                sandbox.state.update_contact(contact["id"], **changed)
        before = tuples_written_by_this_transaction()
        with count_queries() as cost:
            log = run_sync(config)
        by_postgresql = tuples_written_by_this_transaction() - before
        assert log.status == "success", run
        # A bulk insert of a hundred players is a hundred rows, not one.
        players_written = log.stats["players"]["created"] + log.stats["players"]["updated"]
        assert cost.data_rows_written >= 2 * players_written > 0
        assert abs(cost.data_rows_written - by_postgresql) <= by_postgresql / 100, (
            run,
            cost.data_rows_written,
            by_postgresql,
        )


@pytest.mark.django_db
def test_a_bulk_insert_counts_every_row_it_wrote():
    from shotspot.models import Club

    with count_queries() as cost:
        Club.objects.bulk_create([Club(name=f"Club {n}") for n in range(250)])
    assert cost.data_rows_written == 250 == Club.objects.count()
    assert cost.tables_written == {"shotspot_club": 250}


def test_an_unchanged_contact_is_recognised_by_the_hash_of_its_raw_record(sandbox):
    # The player importer skips mapping a contact whose raw hash its mapping holds; that
    # is sound only while the mapper's hash is exactly that raw hash.
    from twizzit.mappers.base import record_hash
    from twizzit.mappers.contacts import map_contact
    from twizzit.sync.entities import PlayerImporter

    assert PlayerImporter.hash_is_raw
    for contact in sandbox.state.contacts[:50]:
        assert map_contact(contact).hash == record_hash(contact)
