"""ShotSpot's own data: clubs, seasons, teams, players, team rosters and games.

These rows belong to ShotSpot. They know nothing of Twizzit beyond `sync_source`, which
says whether a row was made by hand or arrived from Twizzit; which Twizzit record a row
mirrors lives in the integration's mapping tables (`twizzit.models`), so the data model
stays usable without the integration.
"""

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from shotspot.emails import EmailAddressField


class SyncSource(models.TextChoices):
    MANUAL = "manual", "Manual"
    TWIZZIT = "twizzit", "Twizzit"


class Gender(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class TeamRole(models.TextChoices):
    PLAYER = "player", "Player"
    COACH = "coach", "Coach"
    STAFF = "staff", "Staff"
    OTHER = "other", "Other"


class TimeStamped(models.Model):
    """Created/updated timestamps, kept by the database layer."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Club(TimeStamped):
    """A korfball club: the owner of teams."""

    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Season(TimeStamped):
    """A competition season, such as 2025-2026."""

    name = models.CharField(max_length=100)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    is_current = models.BooleanField(default=False)
    sync_source = models.CharField(
        max_length=10, choices=SyncSource.choices, default=SyncSource.MANUAL
    )

    class Meta:
        ordering = ["-start_date", "name"]

    def __str__(self):
        return self.name


class Team(TimeStamped):
    """A team of a club in a season."""

    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=100, blank=True)
    club = models.ForeignKey(
        Club, null=True, blank=True, on_delete=models.SET_NULL, related_name="teams"
    )
    season = models.ForeignKey(
        Season, null=True, blank=True, on_delete=models.SET_NULL, related_name="teams"
    )
    category = models.CharField(max_length=200, blank=True)
    logo_url = models.URLField(max_length=500, blank=True)
    sync_source = models.CharField(
        max_length=10, choices=SyncSource.choices, default=SyncSource.MANUAL
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.season})" if self.season_id else self.name


class Player(TimeStamped):
    """A person who plays for, coaches or helps a team. Names alone make a player."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=10, choices=Gender.choices, default=Gender.UNKNOWN)
    jersey_number = models.PositiveSmallIntegerField(null=True, blank=True)
    email = EmailAddressField(blank=True)  # RFC 6531: "jösé@exämple.be" is an address
    phone = models.CharField(max_length=40, blank=True)
    registration_number = models.CharField(max_length=50, blank=True)
    has_profile_image = models.BooleanField(default=False)
    sync_source = models.CharField(
        max_length=10, choices=SyncSource.choices, default=SyncSource.MANUAL
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            # The three keys that link an unmapped Twizzit contact to an existing player.
            models.Index(fields=["registration_number"], name="player_registration_idx"),
            models.Index(Lower("email"), name="player_email_ci_idx"),
            models.Index(
                fields=["last_name", "first_name", "date_of_birth"], name="player_name_dob_idx"
            ),
            # The candidate query asks by date of birth alone (see twizzit/sync/matching.py).
            models.Index(fields=["date_of_birth"], name="player_birth_date_idx"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}".strip()


class TeamMembership(TimeStamped):
    """A player's place on a team's roster, in a role."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=TeamRole.choices, default=TeamRole.PLAYER)
    sync_source = models.CharField(
        max_length=10, choices=SyncSource.choices, default=SyncSource.MANUAL
    )

    class Meta:
        ordering = ["team", "role", "player"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "player", "role"], name="unique_membership_per_role"
            )
        ]

    def __str__(self):
        return f"{self.player} - {self.team} ({self.get_role_display()})"


class GameStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"
    PLAYED = "played", "Played"


class Game(TimeStamped):
    """A korfball match of one of the club's teams: the fixture ShotSpot records stats of.

    A game typed in by hand needs only its team, opponent and kick-off. A derby (two of
    the club's teams playing each other) is one game per team, each from its own side.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="games")
    opponent = models.CharField(max_length=200)
    is_home = models.BooleanField(
        "home game", null=True, blank=True, help_text="Empty when it is not known."
    )
    start = models.DateTimeField("kick-off")
    end = models.DateTimeField(null=True, blank=True)
    meeting_time = models.DateTimeField(
        null=True, blank=True, help_text="When the players meet before the game."
    )
    venue = models.CharField(max_length=300, blank=True)
    competition = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=GameStatus.choices, default=GameStatus.SCHEDULED
    )
    home_score = models.PositiveSmallIntegerField(null=True, blank=True)
    away_score = models.PositiveSmallIntegerField(null=True, blank=True)
    sync_source = models.CharField(
        max_length=10, choices=SyncSource.choices, default=SyncSource.MANUAL
    )

    class Meta:
        ordering = ["start", "team"]
        indexes = [models.Index(fields=["team", "start"], name="game_team_start_idx")]

    def __str__(self):
        if self.is_home is False:
            fixture = f"{self.opponent} - {self.team.name}"
        else:
            fixture = f"{self.team.name} - {self.opponent}"
        return f"{fixture} ({timezone.localtime(self.start):%Y-%m-%d})" if self.start else fixture
