"""Erasing a person on request (GDPR art. 17): the player and every copy of their data.

A player's personal data is copied, over time, into many places besides the player row:
roster entries, each connection's mapping (merge base and fingerprint), the snapshots
of conflicts about them (and the candidate lists of duplicates that named them), the
entries and planned changes of sync logs, the bodies of mails sent, django-q's task
results, and the admin's own change history. `plan_erasure` says what of that exists
(the confirmation page lists it); `erase_player` removes all of it in one transaction.

What stays is only what stops the next sync from bringing the person back: one
`ErasedContact` per connection with the Twizzit contact id, no name. The club must still
remove the member in Twizzit itself; until then the sync counts the contact as
"erased" and skips it. `lift_suppression` removes that trace, and the next sync imports
the contact again.

ShotSpot's rows that must outlive a player keep an anonymous stand-in rather than the
person. Today only roster entries point at a player, and they are part of the person's
data, so they go with the player (`TeamMembership` cascades). A model added later for
match statistics would be listed in `KEEP_ANONYMOUS` here: its rows are re-pointed at
one anonymous stand-in player before the player is deleted, and this module is the one
place that says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_q.models import Task

from shotspot.models import Player, TeamMembership
from twizzit.models import (
    ConflictType,
    EntityType,
    ErasedContact,
    Notification,
    NotificationStatus,
    PlayerMapping,
    Resolution,
    SyncConflict,
    SyncLog,
    SyncStatus,
)
from twizzit.services.privacy.needles import names_any, needles
from twizzit.sync import runs

# (model, foreign key to Player) of ShotSpot's rows that outlive the person; empty today.
KEEP_ANONYMOUS: list[tuple[type, str]] = []

ERASED_MAIL_BODY = "Removed: this message named a person whose data was erased on request."
# Entities of a run whose entries name a contact by its Twizzit id.
CONTACT_ENTITIES = ("players", "rosters")


class ErasureRefused(Exception):
    """The erasure cannot happen now; nothing was changed."""


@dataclass
class ErasurePlan:
    """What erasing one player removes, counted (the confirmation page lists it)."""

    player: Player
    contacts: list[tuple[int, str, int]] = field(default_factory=list)  # (config, org, id)
    memberships: int = 0
    conflicts: list[int] = field(default_factory=list)
    pending_conflicts: int = 0
    runs: list[int] = field(default_factory=list)  # sync logs with entries naming them
    notifications: list[int] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    history: int = 0  # the admin's change history of the player

    def lines(self) -> list[str]:
        """What goes, one sentence each, as a person reads it."""
        lines = [f"The player {self.player} and every field of it."]
        lines.append(f"{_n(self.memberships, 'roster entry', 'roster entries')}.")
        for _config, organisation, contact_id in self.contacts:
            lines.append(
                f"The link to Twizzit contact {contact_id} of {organisation}, with its stored "
                "merge base and fingerprint."
            )
        if self.conflicts:
            lines.append(
                f"The stored values of {_n(len(self.conflicts), 'conflict')}"
                + (
                    f" ({self.pending_conflicts} pending, closed as “erased on request”)."
                    if self.pending_conflicts
                    else "."
                )
            )
        if self.runs:
            lines.append(
                f"Their entries and planned changes in {_n(len(self.runs), 'sync log')} "
                "(the runs' counts stay)."
            )
        if self.notifications:
            lines.append(f"The text of {_n(len(self.notifications), 'e-mail')} that named them.")
        if self.tasks:
            lines.append(f"{_n(len(self.tasks), 'background task result')} that named them.")
        if self.history:
            lines.append(f"{_n(self.history, 'entry', 'entries')} of the admin's change history.")
        return lines


@dataclass
class ErasureResult:
    player_label: str
    suppressed: list[tuple[str, int]]  # (organisation, contact id)
    removed: dict[str, int]


def _n(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def _mappings(player: Player):
    return PlayerMapping.objects.filter(player=player).select_related("config")


def conflicts_about(player: Player, contacts) -> list[SyncConflict]:
    """Conflicts about the player: theirs, their contacts', and duplicates naming them."""
    about = Q(player=player)
    for config_id, _org, contact_id in contacts:
        about |= Q(config_id=config_id, entity_type=EntityType.PLAYER, twizzit_id=contact_id)
    found = {c.pk: c for c in SyncConflict.objects.filter(about)}
    duplicates = SyncConflict.objects.filter(
        entity_type=EntityType.PLAYER, conflict_type=ConflictType.DUPLICATE
    ).exclude(pk__in=found)
    for conflict in duplicates.iterator():
        if any(c.get("id") == player.pk for c in conflict.candidates or []):
            found[conflict.pk] = conflict
    return list(found.values())


def names_entry(entry: dict, contact_ids: set[int], values: list[str]) -> bool:
    if entry.get("entity") in CONTACT_ENTITIES and entry.get("twizzit_id") in contact_ids:
        return True
    return names_any(str(entry.get("label", "")) + " " + str(entry.get("message", "")), values) or (
        names_any(str(entry.get("changes", "")), values)
    )


def runs_naming(contact_ids: set[int], values: list[str]):
    """(run, kept entries, kept planned changes) of every run whose lists name the person."""
    logs = SyncLog.objects.only("pk", "errors", "planned_changes").order_by("pk")
    for log in logs.iterator(chunk_size=200):
        errors = [e for e in log.errors or [] if not names_entry(e, contact_ids, values)]
        planned = [c for c in log.planned_changes or [] if not names_entry(c, contact_ids, values)]
        if len(errors) != len(log.errors or []) or len(planned) != len(log.planned_changes or []):
            yield log, errors, planned


def _notifications_naming(values: list[str]):
    query = Q()
    for value in values:
        query |= Q(body_text__icontains=value) | Q(body_html__icontains=value)
    return Notification.objects.filter(query) if values else Notification.objects.none()


def tasks_naming(values: list[str]) -> list[str]:
    """django-q task rows whose arguments or result name the person (pickled: read each)."""
    found = []
    for task in Task.objects.only("id", "args", "kwargs", "result").iterator(chunk_size=200):
        if names_any(repr((task.args, task.kwargs, task.result)), values):
            found.append(task.id)
    return found


def _history(player: Player, values: list[str]):
    """The admin's change history of the player, and entries of other rows naming them
    (a roster entry's history is labelled with the player's name)."""
    about = Q(content_type=ContentType.objects.get_for_model(Player), object_id=str(player.pk))
    for value in values:
        about |= Q(object_repr__icontains=value) | Q(change_message__icontains=value)
    return LogEntry.objects.filter(about)


def plan_erasure(player: Player) -> ErasurePlan:
    """What `erase_player(player)` would remove; reads only."""
    values = needles(player)
    contacts = [
        (m.config_id, m.config.organization_name, m.twizzit_contact_id) for m in _mappings(player)
    ]
    conflicts = conflicts_about(player, contacts)
    contact_ids = {contact_id for _c, _o, contact_id in contacts}
    return ErasurePlan(
        player=player,
        contacts=contacts,
        memberships=TeamMembership.objects.filter(player=player).count(),
        conflicts=[c.pk for c in conflicts],
        pending_conflicts=sum(1 for c in conflicts if c.is_pending),
        runs=[log.pk for log, _e, _p in runs_naming(contact_ids, values)],
        notifications=list(_notifications_naming(values).values_list("pk", flat=True)),
        tasks=tasks_naming(values),
        history=_history(player, values).count(),
    )


def _refuse_while_syncing(config_ids) -> None:
    if config_ids:
        runs.reap_stale_runs()  # a dead run must not block an erasure for ever
    for config_id in config_ids:
        running = SyncLog.objects.filter(
            config_id=config_id, status=SyncStatus.RUNNING
        ).select_related("config")
        if log := running.first():
            raise ErasureRefused(
                f"A sync of {log.config.organization_name} (#{log.pk}) is running; it could "
                "import this person again while they are erased. Try again when it has ended."
            )


def erase_player(player: Player, *, user=None, suppress: bool = True) -> ErasureResult:
    """Remove `player` and every copy of their personal data; keep only the suppression.

    `suppress=False` (retention's anonymising of long-archived members) leaves no
    suppression: a member who joins the club again is imported again.
    Raises `ErasureRefused` (changing nothing) while a sync of one of their connections runs.
    """
    values = needles(player)
    label = str(player)
    with transaction.atomic():
        player = Player.objects.select_for_update().get(pk=player.pk)
        mappings = list(_mappings(player))
        _refuse_while_syncing({m.config_id for m in mappings})
        contacts = [
            (m.config_id, m.config.organization_name, m.twizzit_contact_id) for m in mappings
        ]
        contact_ids = {contact_id for _c, _o, contact_id in contacts}
        now = timezone.now()
        removed: dict[str, int] = {}

        # Suppression first: the one row that stays, without a name.
        suppressed = []
        if suppress:
            for config_id, organisation, contact_id in contacts:
                ErasedContact.objects.get_or_create(
                    config_id=config_id,
                    twizzit_contact_id=contact_id,
                    defaults={"erased_by": user if user and user.is_authenticated else None},
                )
                suppressed.append((organisation, contact_id))

        conflicts = conflicts_about(player, contacts)
        for conflict in conflicts:
            if conflict.is_pending:
                conflict.resolution = Resolution.ERASED
                conflict.resolved_at = now
                conflict.resolved_by = user if user and user.is_authenticated else None
            conflict.shotspot_data = conflict.twizzit_data = conflict.base_data = {}
            conflict.candidates = []
            conflict.resolved_values = None
            conflict.player = None
            conflict.updated_at = now
        SyncConflict.objects.bulk_update(
            conflicts,
            [
                "resolution",
                "resolved_at",
                "resolved_by",
                "shotspot_data",
                "twizzit_data",
                "base_data",
                "candidates",
                "resolved_values",
                "player",
                "updated_at",
            ],
        )
        removed["conflicts"] = len(conflicts)

        changed_runs = []
        for log, errors, planned in runs_naming(contact_ids, values):
            log.errors, log.planned_changes = errors, planned
            changed_runs.append(log)
        SyncLog.objects.bulk_update(changed_runs, ["errors", "planned_changes"], batch_size=200)
        removed["sync_logs"] = len(changed_runs)

        mails = _notifications_naming(values)
        removed["notifications"] = mails.count()
        # A mail not sent yet is not sent at all: its text is gone.
        mails.filter(status=NotificationStatus.PENDING).update(
            status=NotificationStatus.FAILED, last_error="Not sent: its person was erased."
        )
        mails.update(body_text=ERASED_MAIL_BODY, body_html=ERASED_MAIL_BODY)

        task_ids = tasks_naming(values)
        removed["tasks"] = Task.objects.filter(id__in=task_ids).delete()[0]
        removed["history"] = _history(player, values).delete()[0]
        removed["mappings"] = PlayerMapping.objects.filter(
            pk__in=[m.pk for m in mappings]
        ).delete()[0]
        removed["memberships"] = TeamMembership.objects.filter(player=player).delete()[0]
        for model, field_name in KEEP_ANONYMOUS:
            model.objects.filter(**{field_name: player}).update(**{field_name: _stand_in()})
        player.delete()
    return ErasureResult(player_label=label, suppressed=suppressed, removed=removed)


def _stand_in() -> Player:
    """The one anonymous player that rows outliving an erased person point at."""
    stand_in, _ = Player.objects.get_or_create(
        first_name="Erased", last_name="member", email="", phone="", date_of_birth=None
    )
    return stand_in


def lift_suppression(suppressions) -> int:
    """Let the next sync import these contacts again; returns how many were lifted."""
    return ErasedContact.objects.filter(pk__in=[s.pk for s in suppressions]).delete()[0]
