"""Re-syncing chosen ShotSpot rows from Twizzit: the service behind "Re-sync selected".

A person picks players or teams (or their mappings) in the admin. Each row is followed to
the Twizzit records it mirrors through the mappings; per connection one background run
of type "selected" is queued with those ids (`twizzit.services.jobs.enqueue_sync`), under the
same one-run-per-connection rule and quota check as any sync. A row that mirrors no
Twizzit record (made by hand, unlinked, or a tombstone's empty side) is counted, not
synced. Nothing here calls Twizzit; the worker does.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from twizzit.models import PlayerMapping, SyncLog, SyncTrigger, SyncType, TeamMapping, TwizzitConfig
from twizzit.services.jobs import QuotaExhausted, enqueue_sync
from twizzit.sync.runs import SyncInProgress
from twizzit.sync.selected import SelectionError


@dataclass
class ResyncResult:
    """What asking for a re-sync did: runs queued, connections refused, rows not linked."""

    queued: list[SyncLog] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    not_linked: int = 0


def resync_players(player_ids, *, trigger=SyncTrigger.ADMIN, user=None) -> ResyncResult:
    """Queue a selected run per connection for the Twizzit contacts of these players."""
    player_ids = set(player_ids)
    rows = PlayerMapping.objects.filter(player__in=player_ids).values_list(
        "config_id", "twizzit_contact_id", "player_id"
    )
    return _queue(rows, "contact_ids", len(player_ids), trigger=trigger, user=user)


def resync_teams(team_ids, *, trigger=SyncTrigger.ADMIN, user=None) -> ResyncResult:
    """Queue a selected run per connection for the Twizzit groups of these teams."""
    team_ids = set(team_ids)
    rows = TeamMapping.objects.filter(team__in=team_ids).values_list(
        "config_id", "twizzit_group_id", "team_id"
    )
    return _queue(rows, "group_ids", len(team_ids), trigger=trigger, user=user)


def resync_mappings(mappings, *, trigger=SyncTrigger.ADMIN, user=None) -> ResyncResult:
    """The same for mapping rows (a tombstone too: its Twizzit record is fetched again).

    Player or team mappings, one kind at a time: a selected run reads contacts and groups
    only (an event mapping's group id would re-sync the whole team, not the game).
    """
    mappings = list(mappings)
    kinds = {type(m) for m in mappings}
    if not kinds <= {PlayerMapping} and not kinds <= {TeamMapping}:
        names = ", ".join(sorted(kind.__name__ for kind in kinds))
        raise TypeError(f"Only player or team mappings are re-synced, one kind at a time: {names}")
    key = "contact_ids" if kinds == {PlayerMapping} else "group_ids"
    remote = "twizzit_contact_id" if key == "contact_ids" else "twizzit_group_id"
    rows = [(m.config_id, getattr(m, remote), m.pk) for m in mappings]
    return _queue(rows, key, len(mappings), trigger=trigger, user=user)


def _queue(rows, key: str, asked: int, *, trigger, user) -> ResyncResult:
    ids_by_config: dict[int, set[int]] = defaultdict(set)
    linked = set()
    for config_id, twizzit_id, local_id in rows:
        ids_by_config[config_id].add(twizzit_id)
        linked.add(local_id)
    result = ResyncResult(not_linked=asked - len(linked))
    configs = TwizzitConfig.objects.in_bulk(list(ids_by_config))
    for config_id, twizzit_ids in sorted(ids_by_config.items()):
        config = configs[config_id]
        try:
            result.queued.append(
                enqueue_sync(
                    config,
                    SyncType.SELECTED,
                    trigger=trigger,
                    user=user,
                    selection={key: sorted(twizzit_ids)},
                )
            )
        except (SyncInProgress, QuotaExhausted) as exc:
            result.refused.append(str(exc))
        except SelectionError as exc:
            result.refused.append(f"{config.organization_name}: {' '.join(exc.messages)}")
    return result
