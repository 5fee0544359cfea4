"""Players, boards and scores: the source of truth that the Redis ranking index is built from."""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

MAX_SCORE = 2**53 - 1  # the largest integer a JSON number (and a Redis score) holds exactly
PLAYER_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"
DEFAULT_BOARD = "global"


class Player(models.Model):
    player_id = models.CharField(
        primary_key=True,
        max_length=64,
        validators=[RegexValidator(PLAYER_ID_PATTERN, "1–64 letters, digits, _ . : or -.")],
        help_text="The game's own id for the player.",
    )
    name = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["player_id"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.player_id})"


class Leaderboard(models.Model):
    class Order(models.TextChoices):
        DESC = "desc", "Highest first"
        ASC = "asc", "Lowest first"

    class Operator(models.TextChoices):
        BEST = "best", "Keep the best score"
        LATEST = "latest", "Keep the latest score"
        INCREMENT = "increment", "Add to the score"

    slug = models.SlugField(max_length=50, unique=True)
    title = models.CharField(max_length=100)
    order = models.CharField(max_length=4, choices=Order.choices, default=Order.DESC)
    operator = models.CharField(max_length=9, choices=Operator.choices, default=Operator.BEST)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.title


class Score(models.Model):
    board = models.ForeignKey(Leaderboard, on_delete=models.CASCADE, related_name="scores")
    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="scores")
    value = models.BigIntegerField(
        validators=[MinValueValidator(-MAX_SCORE), MaxValueValidator(MAX_SCORE)]
    )
    achieved_at = models.DateTimeField(help_text="When the player reached this value.")
    # Raised from one database-wide counter on every change (versions.py), so Redis can
    # refuse an update older than the one it holds.
    version = models.BigIntegerField(default=0, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["board", "player"], name="one_score_per_board_player"),
        ]
        indexes = [models.Index(fields=["board", "value"])]

    def __str__(self) -> str:
        return f"{self.player_id} on {self.board_id}: {self.value}"


class IdempotencyKey(models.Model):
    """A POST's Idempotency-Key and its first answer, replayed to retries for a day."""

    key = models.CharField(primary_key=True, max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the path and body.")
    status = models.PositiveSmallIntegerField()
    body = models.BinaryField()
    # False between the commit and the moment the answer (with ranks) is known.
    complete = models.BooleanField(default=False)
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.key
