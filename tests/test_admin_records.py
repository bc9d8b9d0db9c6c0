"""Players and teams in the admin: where they come from, pending conflicts, re-sync selected."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape
from django_q.conf import Conf

from shotspot.models import Player, SyncSource, Team
from tests.sandbox import connect
from twizzit.models import (
    ConflictType,
    PlayerMapping,
    Resolution,
    SyncConflict,
    SyncLog,
    SyncStatus,
    SyncType,
    TeamMapping,
)
from twizzit.sync import run_sync

PLAYERS = reverse("admin:shotspot_player_changelist")
TEAMS = reverse("admin:shotspot_team_changelist")
CONFLICTS = reverse("admin:twizzit_syncconflict_changelist")


@pytest.fixture
def config(db, sandbox):
    config = connect(sandbox)
    run_sync(config)
    return config


@pytest.fixture
def logged_in(client, admin_user):
    client.force_login(admin_user)
    return client


def first_mapping(config) -> PlayerMapping:
    return PlayerMapping.objects.filter(config=config).order_by("twizzit_contact_id").first()


def jersey_conflict(config, sandbox) -> SyncConflict:
    mapping = first_mapping(config)
    mapping.player.jersey_number = 7
    mapping.player.save()
    sandbox.state.update_contact(mapping.twizzit_contact_id, number=12)
    run_sync(config, SyncType.PLAYERS)
    return SyncConflict.objects.get(twizzit_id=mapping.twizzit_contact_id)


def test_the_players_list_shows_a_twizzit_badge_with_connection_and_last_sync(logged_in, config):
    Player.objects.create(first_name="Hand", last_name="Made")
    html = logged_in.get(PLAYERS, {"q": "Made"}).content.decode()
    assert 'class="manual-badge">Manual<' in html
    mapping = first_mapping(config)
    html = logged_in.get(PLAYERS, {"q": mapping.player.last_name}).content.decode()
    [tooltip] = set(re.findall(r'class="twizzit-badge" title="([^"]+)">Twizzit<', html))
    assert tooltip.startswith(f"{config.organization_name} ({config.organization_id}) · ")
    assert "last synced " in tooltip


def test_the_pending_conflict_marker_and_filter(logged_in, config, sandbox):
    conflict = jersey_conflict(config, sandbox)
    html = logged_in.get(PLAYERS, {"pending_conflict": "yes"}).content.decode()
    assert html.count('class="conflict-marker"') == 1
    assert reverse("admin:twizzit_syncconflict_change", args=[conflict.pk]) in html
    assert str(conflict.player) in html
    others = logged_in.get(PLAYERS, {"pending_conflict": "no"}).content.decode()
    assert 'class="conflict-marker"' not in others


def test_sync_source_cannot_be_changed_on_the_player_page(logged_in, config):
    player = first_mapping(config).player
    url = reverse("admin:shotspot_player_change", args=[player.pk])
    html = logged_in.get(url).content.decode()
    assert 'name="sync_source"' not in html
    data = {
        "first_name": player.first_name,
        "last_name": player.last_name,
        "gender": player.gender,
        "sync_source": SyncSource.MANUAL,
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
    }
    logged_in.post(url, data)
    player.refresh_from_db()
    assert player.sync_source == SyncSource.TWIZZIT


def test_a_synced_players_page_has_the_twizzit_box_and_the_conflict_warning(
    logged_in, config, sandbox
):
    conflict = jersey_conflict(config, sandbox)
    mapping = PlayerMapping.objects.get(twizzit_contact_id=conflict.twizzit_id)
    html = logged_in.get(
        reverse("admin:shotspot_player_change", args=[conflict.player_id])
    ).content.decode()
    assert "Synced from Twizzit" in html
    assert f"<dd>{mapping.twizzit_contact_id}</dd>" in html
    assert reverse("admin:twizzit_playermapping_change", args=[mapping.pk]) in html
    # The players sync that found the conflict wrote the mapping last.
    last_run = SyncLog.objects.filter(sync_type=SyncType.PLAYERS).get()
    assert reverse("admin:twizzit_synclog_change", args=[last_run.pk]) in html
    assert "A conflict with Twizzit waits for a decision" in html
    assert "(Jersey number)" in html
    assert reverse("admin:twizzit_syncconflict_change", args=[conflict.pk]) in html


def test_a_manual_players_page_has_no_box(logged_in, db):
    player = Player.objects.create(first_name="Hand", last_name="Made")
    html = logged_in.get(reverse("admin:shotspot_player_change", args=[player.pk])).content
    assert b"Synced from Twizzit" not in html


def test_resync_selected_players_queues_one_selected_run_and_runs_it(
    logged_in, config, sandbox, monkeypatch, django_capture_on_commit_callbacks
):
    mappings = list(PlayerMapping.objects.filter(config=config).order_by("twizzit_contact_id")[:2])
    for mapping in mappings:
        sandbox.state.update_contact(mapping.twizzit_contact_id, **{"last-name": "Resynced"})
    manual = Player.objects.create(first_name="Hand", last_name="Made")
    monkeypatch.setattr(Conf, "SYNC", True)  # the queued task runs in this process
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(
            PLAYERS,
            {
                "action": "resync_from_twizzit",
                "_selected_action": [m.player_id for m in mappings] + [manual.pk],
            },
            follow=True,
        )
    html = response.content.decode()
    log = SyncLog.objects.get(sync_type=SyncType.SELECTED)
    assert f"Re-sync of 2 players from {config.organization_name} queued" in html
    assert "1 player of the selection is not linked to Twizzit and was left alone" in html
    assert log.status == SyncStatus.SUCCESS
    assert log.selection == {"contact_ids": sorted(m.twizzit_contact_id for m in mappings)}
    assert set(
        Player.objects.filter(pk__in=[m.player_id for m in mappings]).values_list(
            "last_name", flat=True
        )
    ) == {"Resynced"}


def test_resync_is_refused_while_a_sync_of_the_connection_runs(logged_in, config):
    from twizzit.services.jobs import enqueue_sync

    running = enqueue_sync(config)
    team = TeamMapping.objects.filter(config=config).first().team
    response = logged_in.post(
        TEAMS, {"action": "resync_from_twizzit", "_selected_action": [team.pk]}, follow=True
    )
    assert f"Not queued: A sync of {config.organization_name} is already in progress" in (
        response.content.decode()
    )
    assert SyncLog.objects.filter(sync_type=SyncType.SELECTED).count() == 0
    assert running.pk


def test_resync_from_the_team_mappings_list(
    logged_in, config, monkeypatch, django_capture_on_commit_callbacks
):
    mapping = TeamMapping.objects.filter(config=config).first()
    Team.objects.filter(pk=mapping.team_id).update(name="Renamed here")
    monkeypatch.setattr(Conf, "SYNC", True)
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post(
            reverse("admin:twizzit_teammapping_changelist"),
            {"action": "resync_from_twizzit", "_selected_action": [mapping.pk]},
        )
    log = SyncLog.objects.get(sync_type=SyncType.SELECTED)
    assert log.selection == {"group_ids": [mapping.twizzit_group_id]}
    assert log.status == SyncStatus.SUCCESS
    # Renamed only here: a local edit the merge keeps.
    assert Team.objects.get(pk=mapping.team_id).name == "Renamed here"


# --- the conflict list ------------------------------------------------------------------------
def test_the_conflict_list_opens_on_pending_and_can_show_the_rest(logged_in, config, sandbox):
    conflict = jersey_conflict(config, sandbox)
    other = SyncConflict.objects.create(
        config=config,
        entity_type="player",
        twizzit_id=999,
        conflict_type=ConflictType.DUPLICATE,
        twizzit_data={"first_name": "Old", "last_name": "Decided"},
        resolution=Resolution.IGNORED,
    )
    html = logged_in.get(CONFLICTS).content.decode()
    assert str(conflict.player) in html
    assert "Jersey number" in html
    assert "Changed on both sides" in html
    assert config.organization_name in html
    assert "Old Decided" not in html
    every = logged_in.get(CONFLICTS, {"status": "all"}).content.decode()
    assert "Old Decided" in every and str(conflict.player) in every
    assert other.pk


def test_deletion_conflicts_offer_only_decisions_with_different_effects(logged_in, config, sandbox):
    mapping = first_mapping(config)
    mapping.player.delete()
    run_sync(config, SyncType.PLAYERS)
    conflict = SyncConflict.objects.get(conflict_type=ConflictType.DELETED_IN_SHOTSPOT)
    html = logged_in.get(
        reverse("admin:twizzit_syncconflict_change", args=[conflict.pk])
    ).content.decode()
    labels = re.findall(r'name="resolution" value="[^"]+"[^>]*>\s*([^<]+)<', html)
    assert [text.strip() for text in labels] == [
        "Recreate it in ShotSpot from Twizzit",
        "Keep it deleted; the sync stops asking",
    ]


# --- the mapping pages ------------------------------------------------------------------------
def test_a_player_mappings_page_shows_the_last_synced_values_in_words_not_json(logged_in, config):
    mapping = PlayerMapping.objects.filter(
        config=config, base_data__date_of_birth__isnull=False
    ).first()
    url = reverse("admin:twizzit_playermapping_change", args=[mapping.pk])
    html = logged_in.get(url).content.decode()
    assert "Values at the last sync" in html
    born = datetime.date.fromisoformat(mapping.base_data["date_of_birth"])
    assert f"<th scope='row'>Date of birth</th><td>{date_format(born, 'DATE_FORMAT')}</td>" in html
    assert f"<th scope='row'>Last name</th><td>{escape(mapping.player.last_name)}</td>" in html
    assert '"first_name"' not in html and "first_name&quot;" not in html  # no raw JSON
    assert mapping.remote_hash not in html


def test_a_team_mappings_page_names_the_season_not_its_id(logged_in, config):
    mapping = TeamMapping.objects.filter(config=config, team__season__isnull=False).first()
    url = reverse("admin:twizzit_teammapping_change", args=[mapping.pk])
    html = logged_in.get(url).content.decode()
    assert f"<th scope='row'>Season</th><td>{escape(str(mapping.team.season))}</td>" in html
