from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

ACTOR_MAX = 200  # "admin:" and a username of up to 150 characters fit
ACTION_MAX = 64
TARGET_MAX = 255


class AuditEntry(models.Model):
    """One recorded change: who (``actor``), when (``at``), what (``action``, e.g.
    ``key.revoke``), to what (``target``, e.g. ``key:game-eu-1``) and its ``detail``."""

    at = models.DateTimeField()
    actor = models.CharField(max_length=ACTOR_MAX)
    action = models.CharField(max_length=ACTION_MAX)
    target = models.CharField(max_length=TARGET_MAX)
    detail = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"
        # The API and the admin list newest first, a page before a given time.
        indexes = [models.Index(fields=["-at", "-id"], name="audit_newest_first")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action} {self.target}"
