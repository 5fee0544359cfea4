from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

# read: every GET and the OpenAPI document; write: score submissions and batches; moderate and
# manage: the moderation and board-management endpoints.
SCOPES = ("read", "write", "moderate", "manage")
MAX_RATE = 1_000_000  # requests per second


class ApiKey(models.Model):
    """A client's key: its name, scopes and state. The secret itself is never stored, only its
    SHA-256 (the secret is 256 random bits, so a fast hash is enough); it is shown once."""

    name = models.SlugField(max_length=64, unique=True, help_text="Who holds it, e.g. frontend.")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=12,
        editable=False,
        help_text="The secret's first characters, to tell keys apart.",
    )
    scopes = models.CharField(max_length=64, help_text="Comma-separated: " + ", ".join(SCOPES))
    rate = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RATE)],
        help_text="Requests per second, with a burst of as many; more get a 429. Empty: no limit.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return self.name

    @property
    def scope_list(self) -> list[str]:
        return [scope for scope in self.scopes.split(",") if scope]

    def state(self, now) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"
