"""A page's new rows are inserted in bulk (COPY on PostgreSQL) exactly as Django would save them."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from shotspot.models import Player, SyncSource
from twizzit.bench.querycount import count_queries
from twizzit.models import PlayerMapping
from twizzit.sync import bulk


def players(count: int, start: int = 0) -> list[Player]:
    return [
        Player(
            first_name=f"Anaïs {n}",
            last_name="D'Hondt\tVan \\Acker",  # a quote, a tab and a backslash survive COPY
            date_of_birth=datetime.date(2010, 1, 1) + datetime.timedelta(days=n),
            email=f"anais.{n}@example.be",
            sync_source=SyncSource.TWIZZIT,
        )
        for n in range(start, start + count)
    ]


@pytest.mark.django_db
def test_new_players_and_their_mappings_are_stored_with_ids_timestamps_and_merge_bases(config):
    new_players = players(150)
    with count_queries() as cost:
        bulk.insert(Player, new_players)
        mappings = [
            PlayerMapping(
                config=config,
                twizzit_contact_id=9000 + n,
                player=player,  # saved above: its id is written
                base_data={"first_name": player.first_name, "jersey_number": None},
                remote_hash=f"hash-{n}",
            )
            for n, player in enumerate(new_players)
        ]
        bulk.insert(PlayerMapping, mappings)

    assert cost.data_rows_written == 300
    assert cost.tables_written == {"shotspot_player": 150, "twizzit_playermapping": 150}
    assert all(player.pk and not player._state.adding for player in new_players)
    stored = Player.objects.get(pk=new_players[42].pk)
    assert stored.first_name == "Anaïs 42"
    assert stored.last_name == "D'Hondt\tVan \\Acker"
    assert stored.date_of_birth == datetime.date(2010, 2, 12)
    assert stored.created_at is not None and stored.created_at == new_players[42].created_at
    assert stored.jersey_number is None  # a field left at its default
    mapping = PlayerMapping.objects.get(config=config, twizzit_contact_id=9042)
    assert mapping.player_id == new_players[42].pk
    assert mapping.base_data == {"first_name": "Anaïs 42", "jersey_number": None}
    assert mapping.ignore_remote is False and mapping.last_synced_at is not None


@pytest.mark.django_db
def test_rows_inserted_next_to_rows_saved_one_by_one_keep_distinct_ids():
    Player.objects.create(first_name="Manual", last_name="Before")
    batch = players(3)
    bulk.insert(Player, batch)
    after = Player.objects.create(first_name="Manual", last_name="After")
    ids = [player.pk for player in batch]
    assert len(set(ids)) == 3 and after.pk not in ids
    assert Player.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_value_the_database_refuses_rolls_the_whole_page_back_with_djangos_error():
    refused = players(5)
    refused[3].first_name = None  # the model would refuse it too; only the database is asked
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert(Player, players(2, start=100))
        bulk.insert(Player, refused)
    assert Player.objects.count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path")
@pytest.mark.django_db
def test_a_page_of_a_hundred_new_players_costs_two_statements_on_postgresql():
    with count_queries() as cost:
        bulk.insert(Player, players(100))
    assert cost.queries == 2  # the ids from the sequence, then one COPY
    assert Player.objects.count() == 100
