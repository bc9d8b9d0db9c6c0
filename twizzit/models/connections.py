"""A connection to one Twizzit organisation: credentials sealed by `twizzit.crypto`, its
sync settings, who hears about trouble, and the claim that lets one sync run at a time.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from shotspot.models import TimeStamped
from twizzit import crypto
from twizzit.validators import format_email_list, parse_email_list, validate_api_base_url

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
    # Retention (twizzit.services.privacy.retention): off unless a club chooses it.
    anonymise_archived_after_months = models.PositiveSmallIntegerField(
        "anonymise archived members after (months)",
        null=True,
        blank=True,
        help_text="Members archived (gone from Twizzit) for longer than this many months "
        "are anonymised by the daily clean-up. Empty: never.",
    )
    last_sync_at = models.DateTimeField(null=True, blank=True)
    # The last credential check (twizzit.services.verify.verify_config): when, and how it went.
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
    def syncs_by_itself(self) -> bool:
        """A schedule starts this connection's syncs (`twizzit.connection.schedules`)."""
        if not self.sync_enabled or self.auto_sync_frequency == SyncFrequency.MANUAL:
            return False
        if self.auto_sync_frequency == SyncFrequency.CUSTOM:
            return bool(self.sync_interval_minutes)
        return True

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
