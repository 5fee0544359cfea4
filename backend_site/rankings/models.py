"""Players, boards and scores: the source of truth that the Redis ranking index is built from."""

from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
    URLValidator,
)
from django.db import models
from django.db.models import Q

from backend_site.rankings import names, subscores
from backend_site.rankings.calendar import periods
from common import patterns

MAX_SCORE = patterns.MAX_SCORE
PLAYER_ID_PATTERN = patterns.PLAYER_ID
DEFAULT_BOARD = "global"
# A per-player limit keeps one timestamp per submission of the last minute in Redis.
MAX_SUBMISSIONS_PER_MINUTE = 10_000


class Player(models.Model):
    player_id = models.CharField(
        primary_key=True,
        max_length=64,
        validators=[RegexValidator(PLAYER_ID_PATTERN, "1–64 letters, digits, _ . : or -.")],
        help_text="The game's own id for the player.",
    )
    name = models.CharField(max_length=64)
    # UTS #39's skeleton of the name (names.skeleton): lookalike names share it. Every path
    # that writes a name writes it too.
    name_skeleton = models.CharField(max_length=256, blank=True, db_default="", editable=False)
    confusable_with = models.CharField(
        max_length=64,
        blank=True,
        db_default="",  # also for the hand-written inserts (db/), which leave it out
        verbose_name="name looks like",
        help_text="A player on a board they share whose name theirs looks like (a different "
        "name with the same skeleton): marked for review when the name was set. Clear it once "
        "reviewed.",
    )
    # Kept by sanctions.py from the player's sanctions in force: hidden (by a hide or a ban)
    # leaves them out of every read; banned refuses their submissions too. Only sanctions.py
    # writes them, holding the player's row (FOR UPDATE) that every submission reads locked.
    hidden = models.BooleanField(default=False, db_default=False, editable=False)
    banned = models.BooleanField(default=False, db_default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["player_id"]
        indexes = [
            models.Index(fields=["name"]),
            models.Index(fields=["name_skeleton"]),
            # The few hidden players, found without reading the others.
            models.Index(fields=["player_id"], condition=Q(hidden=True), name="player_hidden"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.player_id})"

    def save(self, *args, **kwargs):
        self.name_skeleton = names.skeleton(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_skeleton"}
        super().save(*args, **kwargs)


class Leaderboard(models.Model):
    class Order(models.TextChoices):
        DESC = "desc", "Highest first"
        ASC = "asc", "Lowest first"

    class Operator(models.TextChoices):
        BEST = "best", "Keep the best score"
        LATEST = "latest", "Keep the latest score"
        INCREMENT = "increment", "Add to the score"

    class Reset(models.TextChoices):
        NEVER = periods.NEVER, "Never (all-time)"
        DAILY = periods.DAILY, "Daily, at 00:00"
        WEEKLY = periods.WEEKLY, "Weekly, Monday 00:00"
        MONTHLY = periods.MONTHLY, "Monthly, on the 1st at 00:00"

    slug = models.SlugField(max_length=50, unique=True)
    title = models.CharField(max_length=100)
    order = models.CharField(max_length=4, choices=Order.choices, default=Order.DESC)
    operator = models.CharField(max_length=9, choices=Operator.choices, default=Operator.BEST)
    reset = models.CharField(max_length=7, choices=Reset.choices, default=Reset.NEVER)
    timezone = models.CharField(
        max_length=64, default="UTC", help_text="IANA name; periods start at 00:00 there."
    )
    source = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fed",
        help_text="Every score accepted on this board is also applied here.",
    )
    # Bounds (bounds.py): a submission outside them is refused with a 422 and kept as a Review.
    min_score = models.BigIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-MAX_SCORE), MaxValueValidator(MAX_SCORE)],
        help_text="The lowest score accepted (on an increment board: the lowest total). "
        "Empty: none.",
    )
    max_score = models.BigIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-MAX_SCORE), MaxValueValidator(MAX_SCORE)],
        help_text="The highest score accepted (on an increment board: the highest total). "
        "Empty: none.",
    )
    max_increment = models.BigIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SCORE)],
        help_text="Increment boards: the largest single addition, either way. Empty: none.",
    )
    # Tie-break columns (subscores.py): up to two orders, "asc" or "desc", comma-separated;
    # "" for none. Fixed once the board has scores (their ties are stored in its order).
    subscores = models.CharField(
        max_length=9,
        blank=True,
        default="",
        db_default="",
        choices=[
            ("", "None"),
            *[
                (s, s.replace(",", ", then "))
                for s in ("asc", "desc", "asc,asc", "asc,desc", "desc,asc", "desc,desc")
            ],
        ],
        help_text="Tie-break columns, compared when scores are equal, before who got there "
        "first: asc (lower is better) or desc (higher is better). Submissions must send one "
        "integer per column.",
    )
    max_submissions_per_minute = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SUBMISSIONS_PER_MINUTE)],
        help_text="Per player: submissions to this board (single or batch items) accepted in "
        "any 60 seconds; more get a 429. Empty: unlimited.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if None not in (self.min_score, self.max_score) and self.min_score > self.max_score:
            raise ValidationError({"max_score": "The highest score must not be below the lowest."})
        if self.max_increment is not None and self.operator != self.Operator.INCREMENT:
            raise ValidationError({"max_increment": "Only an increment board adds to a score."})
        try:
            periods.zone(self.timezone)
        except ValueError as exc:
            raise ValidationError({"timezone": str(exc)}) from exc
        if self.pk is not None and self.fed.exclude(subscores=self.subscores).exists():
            raise ValidationError(
                {"subscores": "The boards this one feeds must have the same subscores."}
            )
        if self.source_id is not None:
            if self.pk is not None and self.source_id == self.pk:
                raise ValidationError({"source": "A board cannot feed itself."})
            source = Leaderboard.objects.filter(pk=self.source_id).values("source_id").first()
            if source and source["source_id"] is not None:
                raise ValidationError({"source": "The source board must not have a source itself."})
            if self.pk is not None and self.fed.exists():
                raise ValidationError({"source": "A board that feeds others cannot have a source."})
            if source and self.subscores != source_subscores(self.source_id):
                raise ValidationError(
                    {"source": "The source board must have the same subscores as this one."}
                )

    @property
    def subscore_orders(self) -> tuple[str, ...]:
        return subscores.orders_of(self.subscores)

    def ranked_ties(self, ties) -> tuple[int, ...]:
        """A score's stored ties (tie_1, tie_2) as Redis ranks them: the board's columns only."""
        return tuple(ties[: len(self.subscore_orders)])

    @property
    def bounded(self) -> bool:
        return (self.min_score, self.max_score, self.max_increment) != (None, None, None)

    def period_at(self, moment) -> periods.Period | None:
        """The period in force at ``moment``; None when the board never resets."""
        return periods.period_at(self.reset, self.timezone, moment)


def source_subscores(board_id: int) -> str:
    return Leaderboard.objects.filter(pk=board_id).values_list("subscores", flat=True).first()


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
    # The period the score belongs to ("" on a board that never resets): rows of a closed
    # period are never written again; they are its final standings.
    period = models.CharField(max_length=10, default=periods.NO_PERIOD, blank=True)
    # What the game attached to the submission that set this value (a replay id, the car,
    # the level's seed): compact JSON text of an object, at most METADATA_MAX bytes; null
    # for none. Kept as text: the database stores and returns it, it never looks inside.
    metadata = models.TextField(null=True, blank=True)  # noqa: DJ001 (NULL: none, no bytes)
    # The subscores as ties (subscores.py): lower is better, 0 past the board's columns.
    tie_1 = models.BigIntegerField(default=0, db_default=0)
    tie_2 = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["board", "period", "player"], name="one_score_per_board_period_player"
            ),
        ]
        indexes = [
            # A ranking in its full order: by value (read either way), then the ties, then
            # who reached it first, then the player, as Redis orders equal scores
            # (ranking_index/layout.py). The export walks it in keyset chunks
            # (db/export_rows.py), which stay O(chunk) only when the index serves the
            # tie-breakers too; the value prefix serves the rest (a period's winner, counts).
            models.Index(
                fields=["board", "period", "value", "tie_1", "tie_2", "achieved_at", "player"],
                name="score_tie_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.player_id} on {self.board_id}: {self.value}"


class PeriodArchive(models.Model):
    """A closed period of a board that resets: written once, when the period has ended.

    Its final standings are the board's score rows of that period, which nothing writes
    after its end; this row records the close, the number of players and the winner.
    """

    board = models.ForeignKey(Leaderboard, on_delete=models.CASCADE, related_name="archives")
    period = models.CharField(max_length=10)
    start = models.DateTimeField()
    end = models.DateTimeField()
    players = models.PositiveIntegerField()
    winner_id = models.CharField(max_length=64, blank=True)
    winner_name = models.CharField(max_length=64, blank=True)
    winner_score = models.BigIntegerField(null=True, blank=True)
    closed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["board", "period"], name="one_archive_per_period"),
        ]
        ordering = ["board", "-start"]

    def __str__(self) -> str:
        return f"{self.board_id} {self.period}"


class ScoreEvent(models.Model):
    """One accepted change of a score, appended in the write's transaction, never updated.

    ``value`` is the score after the change (None: the score was removed).
    """

    board = models.ForeignKey(Leaderboard, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10, default=periods.NO_PERIOD, blank=True)
    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="+")
    value = models.BigIntegerField(null=True)
    at = models.DateTimeField()
    # The name of the API key that made the change ("" for the admin, a command, a migration).
    key = models.CharField(max_length=64, blank=True, db_default="")
    # The submission's metadata (Score.metadata), when the change came with any.
    metadata = models.TextField(null=True, blank=True)  # noqa: DJ001 (NULL: none, no bytes)
    # The score's ties after the change (Score.tie_1, tie_2).
    tie_1 = models.BigIntegerField(default=0, db_default=0)
    tie_2 = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        indexes = [
            models.Index(fields=["board", "player", "at"]),
            models.Index(fields=["board", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.player_id} on {self.board_id}: {self.value} at {self.at}"


class Review(models.Model):
    """A submission refused for a moderator to look at: out of its board's bounds. Kept by
    text (board slug, player id), so it outlives neither nor needs them to exist."""

    leaderboard = models.CharField(max_length=50)
    player_id = models.CharField(max_length=64)
    score = models.BigIntegerField()
    reason = models.CharField(max_length=200)
    key = models.CharField(max_length=64, blank=True, help_text="The API key that sent it.")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["-at", "-id"], name="review_newest"),
            models.Index(fields=["player_id", "-at"], name="review_player"),
            models.Index(fields=["leaderboard", "-at"], name="review_board"),
        ]

    def __str__(self) -> str:
        return f"{self.player_id} on {self.leaderboard}: {self.score} ({self.reason})"


class Sanction(models.Model):
    """A moderator's hide or ban of a player, in force from ``created_at`` until it is
    lifted, or until ``until`` (it then ends at the first request after that time)."""

    class Action(models.TextChoices):
        HIDE = "hide", "Hide (off every board, submissions kept)"
        BAN = "ban", "Ban (hidden, and submissions refused)"

    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="sanctions")
    action = models.CharField(max_length=4, choices=Action.choices)
    reason = models.CharField(max_length=500, blank=True)
    until = models.DateTimeField(null=True, blank=True, help_text="Empty: until lifted.")
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=160, help_text="The key or admin user.")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(
        max_length=160, blank=True, help_text="Who lifted it, or 'expiry' when its time ran out."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sanctions that will end on their own: the next one due is the first.
            models.Index(
                fields=["until"],
                condition=Q(ended_at__isnull=True, until__isnull=False),
                name="sanction_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.player_id} ({self.reason})"

    def in_force(self, moment) -> bool:
        return self.ended_at is None and (self.until is None or self.until > moment)


class RankDay(models.Model):
    """A day whose closing ranks are in DayRank: written once, with them, per board and day."""

    board = models.ForeignKey(Leaderboard, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    players = models.PositiveIntegerField()
    taken_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["board", "day"], name="one_rank_day")]

    def __str__(self) -> str:
        return f"{self.board_id} {self.day}"


class DayRank(models.Model):
    """A player's score and rank on a board at the end of a day (in the board's zone)."""

    board = models.ForeignKey(Leaderboard, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    player_id = models.CharField(max_length=64)
    score = models.BigIntegerField()
    rank = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["board", "player_id", "day"])]

    def __str__(self) -> str:
        return f"{self.player_id} on {self.board_id} {self.day}: #{self.rank}"


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


# The events a webhook endpoint may subscribe to (webhooks/events.py builds each one's data).
WEBHOOK_EVENTS = ("period.closed", "leader.changed", "player.sanctioned", "player.erased")


def webhook_events_clean(value: str) -> str:
    """A comma-separated subset of WEBHOOK_EVENTS, without spaces or repeats, in their order."""
    given = [part.strip() for part in value.split(",") if part.strip()]
    unknown = sorted(set(given) - set(WEBHOOK_EVENTS))
    if unknown:
        raise ValidationError(
            f"Unknown event(s): {', '.join(unknown)}. Known: {', '.join(WEBHOOK_EVENTS)}."
        )
    if not given:
        raise ValidationError(f"Name at least one event of: {', '.join(WEBHOOK_EVENTS)}.")
    return ",".join(event for event in WEBHOOK_EVENTS if event in given)


class WebhookEndpoint(models.Model):
    """A URL the service POSTs signed events to (webhooks/delivery.py)."""

    url = models.URLField(
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="http:// or https:// URL that receives the events (POST, JSON).",
    )
    # The HMAC key of Leaderboard-Signature: kept as given, the receiver holds the same.
    secret = models.CharField(max_length=128, editable=False)
    events = models.CharField(
        max_length=200,
        validators=[webhook_events_clean],
        help_text=f"Comma-separated: {', '.join(WEBHOOK_EVENTS)}.",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=160)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url

    def subscribes(self, event_type: str) -> bool:
        return event_type in self.events.split(",")


class WebhookEvent(models.Model):
    """One event, written in the transaction of the change that caused it (the outbox)."""

    uid = models.UUIDField(unique=True, editable=False, help_text="Leaderboard-Event-Id.")
    type = models.CharField(max_length=32)
    # The order its deliveries keep: "board:<slug>" or "player:<id>".
    stream = models.CharField(max_length=120)
    data = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.uid}"


class WebhookDelivery(models.Model):
    """One event to one endpoint: retried until delivered, or failed 24 h on."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    stream = models.CharField(max_length=120)  # the event's, so the due query needs no join
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # A deliverer holds a delivery it is sending until then (another takes it after).
    lease_until = models.DateTimeField(null=True, blank=True)
    # "Send again" restarts the 24 hours from here.
    queued_at = models.DateTimeField()
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            # The due ones, and per endpoint and stream the earliest pending (order).
            models.Index(
                fields=["endpoint", "stream", "id"],
                condition=Q(status="pending"),
                name="webhook_delivery_pending",
            ),
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="webhook_delivery_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} to {self.endpoint_id}: {self.status}"


class BoardLeader(models.Model):
    """The #1 of a board's period as the last leader.changed said ("" for nobody): locked
    only by a write that may have changed it (webhooks/leaders.py)."""

    board = models.ForeignKey(Leaderboard, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10, blank=True)
    player_id = models.CharField(max_length=64, blank=True)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["board", "period"], name="one_leader_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.board_id} {self.period}: {self.player_id or 'nobody'}"
