"""The integration's own records.

- `TwizzitConfig`: one connection per Twizzit organisation, with its credentials sealed
  by `twizzit.crypto`, its sync settings, and the claim that lets only one sync of the
  organisation run at a time.
- Mappings (`SeasonMapping`, `ClubMapping`, `TeamMapping`, `PlayerMapping`,
  `EventMapping`): Twizzit id ⇄
  ShotSpot row, with the hash of the last remote record and the merge base — the values
  both sides agreed on at the last sync. A mapping outlives its local row (the row
  pointer becomes NULL): that tombstone is how a sync tells "deleted in ShotSpot" from
  "new in Twizzit".
- `SyncLog`: every run, created before any work, finished in `finally`.
- `SyncConflict`: a disagreement a person decides; at most one pending per record.
- `ApiUsage`: calls spent per connection per calendar month, against its quota.
- `Notification` (defined in `twizzit.notify.models`): every event mailed to the admins.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from shotspot.models import Club, Game, Player, Season, Team, TimeStamped
from twizzit import crypto
from twizzit.notify.recipients import format_email_list, parse_email_list
from twizzit.validators import validate_api_base_url

DEFAULT_API_BASE_URL = "https://app.twizzit.com"
# Every sync spends calls of a tight monthly quota: no schedule more often than this.
MIN_SYNC_INTERVAL_MINUTES = 15
PASSWORD = "password"  # noqa: S105 (a purpose label, not a secret)
TOKEN = "token"  # noqa: S105 (a purpose label, not a secret)


def default_monthly_limit() -> int:
    return settings.TWIZZIT_RATE_LIMIT_MONTHLY


class SyncFrequency(models.TextChoices):
    MANUAL = "manual", "Manual only"
    HOURLY = "hourly", "Hourly"
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    CUSTOM = "custom", "Every N minutes"


class SeasonScope(models.TextChoices):
    CURRENT = "current", "Current season"
    ALL = "all", "All seasons"


class ConflictPolicy(models.TextChoices):
    MANUAL = "manual", "A person decides"
    TWIZZIT_WINS = "twizzit_wins", "Twizzit wins"
    SHOTSPOT_WINS = "shotspot_wins", "ShotSpot wins"


class TwizzitConfig(TimeStamped):
    """A connection to one Twizzit organisation."""

    organization_id = models.PositiveIntegerField(unique=True)
    organization_name = models.CharField(max_length=200)
    api_base_url = models.URLField(
        max_length=300, default=DEFAULT_API_BASE_URL, validators=[validate_api_base_url]
    )
    api_username = models.CharField(max_length=200)
    # Sealed by twizzit.crypto; never shown back anywhere. Use set_password/get_password.
    api_password_encrypted = models.TextField(blank=True, editable=False)
    api_token_encrypted = models.TextField(blank=True, editable=False)
    api_token_expires_at = models.DateTimeField(null=True, blank=True, editable=False)

    sync_enabled = models.BooleanField(default=True)
    auto_sync_frequency = models.CharField(
        max_length=10, choices=SyncFrequency.choices, default=SyncFrequency.DAILY
    )
    sync_interval_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_SYNC_INTERVAL_MINUTES)],
        help_text="Only for the 'Every N minutes' frequency.",
    )
    sync_players = models.BooleanField(default=True)
    sync_teams = models.BooleanField(default=True)
    sync_rosters = models.BooleanField(default=True)
    sync_games = models.BooleanField(
        default=True, help_text="A full sync also imports the teams' games from Twizzit events."
    )
    season_scope = models.CharField(
        max_length=10, choices=SeasonScope.choices, default=SeasonScope.CURRENT
    )
    current_members_only = models.BooleanField(
        default=False, help_text="Only contacts with a current membership."
    )
    conflict_policy = models.CharField(
        max_length=20, choices=ConflictPolicy.choices, default=ConflictPolicy.MANUAL
    )
    role_overrides = models.JSONField(
        default=dict,
        blank=True,
        help_text='Contact function id → role, e.g. {"12": "staff"}.',
    )
    event_type_overrides = models.JSONField(
        default=dict,
        blank=True,
        help_text='Event type id → "game" or "skip", e.g. {"4": "game"}.',
    )
    monthly_call_limit = models.PositiveIntegerField(default=default_monthly_limit)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    # The last credential check (twizzit.verify.verify_config): when, and how it went.
    # A new password makes the connection untested again.
    credentials_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    credentials_ok = models.BooleanField(null=True, editable=False)
    credentials_check_summary = models.CharField(max_length=500, blank=True, editable=False)

    # Who hears about trouble, and which kinds (twizzit.notify).
    notify_emails = models.TextField(
        "notification e-mails",
        blank=True,
        help_text="Comma-separated addresses. Empty: every superuser with an e-mail address.",
    )
    notify_failed_runs = models.BooleanField("failed syncs", default=True)
    notify_stale_runs = models.BooleanField("stopped syncs", default=True)
    notify_conflicts = models.BooleanField("new conflicts", default=True)
    notify_quota = models.BooleanField("Twizzit calls at 90 % and spent", default=True)
    notify_recovered = models.BooleanField("back to normal", default=True)

    # The claim: one sync of this organisation at a time, across processes and machines.
    running_sync = models.ForeignKey(
        "SyncLog", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organization_name"]
        verbose_name = "Twizzit connection"

    def __str__(self):
        return f"{self.organization_name} ({self.organization_id})"

    def __repr__(self):
        return f"<TwizzitConfig {self.pk} org={self.organization_id}>"

    def clean(self):
        from twizzit.mappers.base import MappingError
        from twizzit.mappers.events import game_type_overrides
        from twizzit.mappers.rosters import role_map

        errors = {}
        if self.auto_sync_frequency == SyncFrequency.CUSTOM and not self.sync_interval_minutes:
            errors["sync_interval_minutes"] = (
                "Set the interval for the 'Every N minutes' frequency."
            )
        try:
            role_map([], self.role_overrides or {})
        except (MappingError, AttributeError, TypeError) as exc:
            errors["role_overrides"] = f"Role overrides: {exc}"
        try:
            game_type_overrides(self.event_type_overrides or {})
        except (MappingError, AttributeError, TypeError) as exc:
            errors["event_type_overrides"] = f"Event type overrides: {exc}"
        try:
            self.notify_emails = format_email_list(parse_email_list(self.notify_emails))
        except ValidationError as exc:
            errors["notify_emails"] = exc.messages
        if errors:
            raise ValidationError(errors)

    # --- secrets -------------------------------------------------------------------
    def set_password(self, raw_password: str) -> None:
        """Seal a new password; the cached token belonged to the old one."""
        self.api_password_encrypted = crypto.encrypt(raw_password, purpose=PASSWORD)
        self.clear_token()
        self.credentials_checked_at = None
        self.credentials_ok = None
        self.credentials_check_summary = ""

    def get_password(self) -> str:
        return crypto.decrypt(self.api_password_encrypted, purpose=PASSWORD)

    @property
    def has_password(self) -> bool:
        return bool(self.api_password_encrypted)

    def set_token(self, token: str, expires_at) -> None:
        self.api_token_encrypted = crypto.encrypt(token, purpose=TOKEN)
        self.api_token_expires_at = expires_at

    def get_token(self) -> str:
        return crypto.decrypt(self.api_token_encrypted, purpose=TOKEN)

    def clear_token(self) -> None:
        self.api_token_encrypted = ""
        self.api_token_expires_at = None


class Mapping(TimeStamped):
    """What every mapping keeps: when, the remote record's hash, and the merge base."""

    config = models.ForeignKey(TwizzitConfig, on_delete=models.CASCADE)
    last_synced_at = models.DateTimeField(default=timezone.now)
    remote_hash = models.CharField(max_length=64, blank=True)
    base_data = models.JSONField(default=dict, blank=True)
    # A person decided this Twizzit record stays out of ShotSpot (kept deleted, or a
    # duplicate not to import): the sync leaves it alone instead of asking again.
    ignore_remote = models.BooleanField(default=False)

    class Meta:
        abstract = True


def _mapping_constraints(prefix: str, remote: str, local: str) -> list:
    return [
        models.UniqueConstraint(fields=["config", remote], name=f"{prefix}_unique_remote"),
        models.UniqueConstraint(
            fields=["config", local],
            condition=Q(**{f"{local}__isnull": False}),
            name=f"{prefix}_unique_local",
        ),
    ]


class SeasonMapping(Mapping):
    """Twizzit season ⇄ ShotSpot Season."""

    twizzit_season_id = models.BigIntegerField()
    season = models.ForeignKey(
        Season, null=True, blank=True, on_delete=models.SET_NULL, related_name="twizzit_mappings"
    )

    class Meta:
        constraints = _mapping_constraints("seasonmap", "twizzit_season_id", "season")

    def __str__(self):
        return f"season {self.twizzit_season_id} → {self.season_id}"


class ClubMapping(Mapping):
    """Twizzit club id (a bare int on groups) ⇄ ShotSpot Club."""

    twizzit_club_id = models.BigIntegerField()
    club = models.ForeignKey(
        Club, null=True, blank=True, on_delete=models.SET_NULL, related_name="twizzit_mappings"
    )

    class Meta:
        constraints = _mapping_constraints("clubmap", "twizzit_club_id", "club")

    def __str__(self):
        return f"club {self.twizzit_club_id} → {self.club_id}"


class TeamMapping(Mapping):
    """Twizzit group ⇄ ShotSpot Team."""

    twizzit_group_id = models.BigIntegerField()
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="twizzit_mappings"
    )
    twizzit_season_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = _mapping_constraints("teammap", "twizzit_group_id", "team")

    def __str__(self):
        return f"group {self.twizzit_group_id} → {self.team_id}"


class PlayerMapping(Mapping):
    """Twizzit contact ⇄ ShotSpot Player. A NULL player is a tombstone: deleted here."""

    twizzit_contact_id = models.BigIntegerField()
    player = models.ForeignKey(
        Player, null=True, blank=True, on_delete=models.SET_NULL, related_name="twizzit_mappings"
    )

    class Meta:
        constraints = _mapping_constraints("playermap", "twizzit_contact_id", "player")

    def __str__(self):
        return f"contact {self.twizzit_contact_id} → {self.player_id}"

    @property
    def is_tombstone(self) -> bool:
        return self.player_id is None


class EventMapping(Mapping):
    """Twizzit event, as seen by one synced team ⇄ ShotSpot Game.

    An event linked to several of the club's teams (a derby) is one game per team, so
    the Twizzit side of a mapping is the pair (event, group). `twizzit_key` packs that
    pair into the one integer the importer, the conflicts and the resolutions use as the
    record's Twizzit id: event id * 10**9 + group id.
    """

    twizzit_key = models.BigIntegerField()
    twizzit_event_id = models.BigIntegerField()
    twizzit_group_id = models.BigIntegerField()
    game = models.ForeignKey(
        Game, null=True, blank=True, on_delete=models.SET_NULL, related_name="twizzit_mappings"
    )

    class Meta:
        constraints = _mapping_constraints("eventmap", "twizzit_key", "game")
        indexes = [models.Index(fields=["config", "twizzit_event_id"], name="eventmap_event_idx")]

    def __str__(self):
        return f"event {self.twizzit_event_id} (group {self.twizzit_group_id}) → {self.game_id}"

    def save(self, *args, **kwargs):
        # A mapping made from a conflict knows only the key: the pair follows from it.
        if self.twizzit_event_id is None or self.twizzit_group_id is None:
            self.twizzit_event_id, self.twizzit_group_id = divmod(self.twizzit_key, 10**9)
        super().save(*args, **kwargs)


class SyncType(models.TextChoices):
    FULL = "full", "Full"
    PLAYERS = "players", "Players"
    TEAMS = "teams", "Teams"
    ROSTERS = "rosters", "Rosters"
    GAMES = "games", "Games"
    SELECTED = "selected", "Selected records"


class SyncTrigger(models.TextChoices):
    MANUAL = "manual", "Manual"
    SCHEDULE = "schedule", "Schedule"
    API = "api", "API"
    ADMIN = "admin", "Admin"
    CLI = "cli", "Command line"


class SyncStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCESS = "success", "Success"
    PARTIAL = "partial", "Partial"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_STATUSES = (SyncStatus.PENDING, SyncStatus.RUNNING)


class SyncLog(models.Model):
    """One sync run: what was asked, what happened, and what it cost."""

    config = models.ForeignKey(TwizzitConfig, on_delete=models.CASCADE, related_name="sync_logs")
    sync_type = models.CharField(max_length=10, choices=SyncType.choices)
    trigger = models.CharField(
        max_length=10, choices=SyncTrigger.choices, default=SyncTrigger.MANUAL
    )
    status = models.CharField(max_length=10, choices=SyncStatus.choices, default=SyncStatus.PENDING)
    dry_run = models.BooleanField(default=False)
    # {entity: {fetched, created, updated, unchanged, skipped, conflicts, errors}}
    stats = models.JSONField(default=dict, blank=True)
    # [{entity, twizzit_id, message, level}] — level "error" or "warning"
    errors = models.JSONField(default=list, blank=True)
    # Dry runs: [{entity, twizzit_id, action, changes: {field: [old, new]}}], capped.
    planned_changes = models.JSONField(default=list, blank=True)
    # Selected-records runs: {"contact_ids": [...], "group_ids": [...]}, what was asked for.
    selection = models.JSONField(default=dict, blank=True)
    # {phase, entities: {entity: processed}} — written at most once per page.
    progress = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True, help_text="Why the run failed or was skipped.")
    api_calls = models.PositiveIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    cancel_requested = models.BooleanField(default=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The process holding the run ("host|boot time|pid|start time", twizzit.sync.liveness):
    # a dead one on the same machine frees the connection without waiting for the lease.
    owner = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["config", "-created_at"], name="synclog_config_recent_idx"),
            models.Index(fields=["status"], name="synclog_status_idx"),
        ]

    def __str__(self):
        # The admin shows runs by this label (e.g. a connection's running sync).
        kind = "preview" if self.dry_run else "sync"
        state = self.shown_status
        if self.heartbeat_age is not None:
            state += f", last heartbeat {round(self.heartbeat_age)} s ago"
        return f"{self.get_sync_type_display()} {kind} #{self.pk} ({state})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def heartbeat_age(self) -> float | None:
        """Seconds since a running run last showed it is alive; None when not running."""
        if self.status != SyncStatus.RUNNING or self.heartbeat_at is None:
            return None
        return max((timezone.now() - self.heartbeat_at).total_seconds(), 0.0)

    @property
    def is_stale(self) -> bool:
        """Running, but its heartbeat stopped longer ago than the lease: presumed dead."""
        age = self.heartbeat_age
        return age is not None and age > settings.TWIZZIT_SYNC_LEASE_SECONDS

    @property
    def shown_status(self) -> str:
        """The status as people should read it: a running run whose heartbeat stopped is stale."""
        return "stale" if self.is_stale else self.status


class EntityType(models.TextChoices):
    PLAYER = "player", "Player"
    TEAM = "team", "Team"
    SEASON = "season", "Season"
    ROSTER = "roster", "Roster"
    GAME = "game", "Game"


class ConflictType(models.TextChoices):
    DUPLICATE = "duplicate", "Possible duplicate"
    DATA_MISMATCH = "data_mismatch", "Changed on both sides"
    DELETED_IN_TWIZZIT = "deleted_in_twizzit", "Deleted in Twizzit"
    DELETED_IN_SHOTSPOT = "deleted_in_shotspot", "Deleted in ShotSpot"


class Resolution(models.TextChoices):
    PENDING = "pending", "Pending"
    TWIZZIT_WINS = "twizzit_wins", "Twizzit wins"
    SHOTSPOT_WINS = "shotspot_wins", "ShotSpot wins"
    MANUAL = "manual", "Manual values"
    IGNORED = "ignored", "Ignored"
    # A later sync found both sides agreeing again, or the record back in Twizzit.
    SUPERSEDED = "superseded", "Settled by a later sync"


class SyncConflict(models.Model):
    """A disagreement between ShotSpot and Twizzit that a person decides."""

    config = models.ForeignKey(TwizzitConfig, on_delete=models.CASCADE, related_name="conflicts")
    sync_log = models.ForeignKey(
        SyncLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="conflicts"
    )
    entity_type = models.CharField(max_length=10, choices=EntityType.choices)
    twizzit_id = models.BigIntegerField()
    player = models.ForeignKey(
        Player, null=True, blank=True, on_delete=models.SET_NULL, related_name="sync_conflicts"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="sync_conflicts"
    )
    conflict_type = models.CharField(max_length=20, choices=ConflictType.choices)
    fields = models.JSONField(default=list, blank=True)
    shotspot_data = models.JSONField(default=dict, blank=True)
    twizzit_data = models.JSONField(default=dict, blank=True)
    base_data = models.JSONField(default=dict, blank=True)
    # Duplicates: the local rows that matched, [{id, label, matched_on}].
    candidates = models.JSONField(default=list, blank=True)
    resolution = models.CharField(
        max_length=20, choices=Resolution.choices, default=Resolution.PENDING
    )
    resolved_values = models.JSONField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["config", "entity_type", "twizzit_id"],
                condition=Q(resolution="pending"),
                name="one_pending_conflict_per_record",
            )
        ]
        indexes = [
            models.Index(
                fields=["config", "-created_at"],
                condition=Q(resolution="pending"),
                name="conflict_pending_idx",
            )
        ]

    def __str__(self):
        if self.entity_type == EntityType.GAME:  # its id is a key: say the event and team
            from twizzit.subjects import twizzit_record

            return f"{self.get_conflict_type_display()}: {twizzit_record(self).lower()}"
        return f"{self.get_conflict_type_display()}: {self.entity_type} {self.twizzit_id}"

    @property
    def is_pending(self) -> bool:
        return self.resolution == Resolution.PENDING


class ApiUsage(models.Model):
    """Twizzit calls spent by one connection in one calendar month."""

    config = models.ForeignKey(TwizzitConfig, on_delete=models.CASCADE, related_name="api_usage")
    month = models.DateField(help_text="The first day of the month.")
    calls = models.PositiveIntegerField(default=0)
    warned_at = models.DateTimeField(null=True, blank=True)
    # Twizzit answered 429 without saying how long to wait: the quota may be spent.
    rate_limited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["config", "month"], name="one_usage_row_per_month")
        ]
        verbose_name_plural = "API usage"

    def __str__(self):
        return f"{self.config} {self.month:%Y-%m}: {self.calls}"


# Defined with the notifications it records; imported here so Django finds it.
from twizzit.notify.models import (  # noqa: E402, F401
    Notification,
    NotificationKind,
    NotificationStatus,
)
