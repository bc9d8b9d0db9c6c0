"""The database enforces the integration's invariants on SQLite and PostgreSQL alike."""

import pytest
from django.db import IntegrityError, transaction

from shotspot.models import Player
from twizzit.models import ConflictType, PlayerMapping, Resolution, SyncConflict


@pytest.fixture
def player(db):
    return Player.objects.create(first_name="Lotte", last_name="Peeters")


def test_manual_player_needs_only_names(player):
    player.full_clean()
    assert player.sync_source == "manual"
    assert player.gender == "unknown"


def test_second_mapping_for_the_same_twizzit_contact_is_rejected(config, player):
    PlayerMapping.objects.create(config=config, twizzit_contact_id=501, player=player)
    other = Player.objects.create(first_name="Jan", last_name="Janssens")
    with pytest.raises(IntegrityError), transaction.atomic():
        PlayerMapping.objects.create(config=config, twizzit_contact_id=501, player=other)


def test_one_local_player_cannot_be_mapped_to_two_contacts(config, player):
    PlayerMapping.objects.create(config=config, twizzit_contact_id=501, player=player)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlayerMapping.objects.create(config=config, twizzit_contact_id=502, player=player)


def test_deleting_a_mapped_player_leaves_a_tombstone(config, player):
    mapping = PlayerMapping.objects.create(
        config=config, twizzit_contact_id=501, player=player, base_data={"last_name": "Peeters"}
    )
    player.delete()
    mapping.refresh_from_db()
    assert mapping.is_tombstone
    assert mapping.base_data == {"last_name": "Peeters"}


def _conflict(config, **extra):
    return SyncConflict.objects.create(
        config=config,
        entity_type="player",
        twizzit_id=501,
        conflict_type=ConflictType.DATA_MISMATCH,
        **extra,
    )


def test_second_pending_conflict_for_the_same_record_is_rejected(config):
    _conflict(config)
    with pytest.raises(IntegrityError), transaction.atomic():
        _conflict(config)


def test_a_resolved_conflict_does_not_block_a_new_pending_one(config):
    _conflict(config, resolution=Resolution.TWIZZIT_WINS)
    _conflict(config)
    assert SyncConflict.objects.filter(config=config).count() == 2
