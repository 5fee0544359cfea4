"""Creating, revoking and checking API keys.

A request's bearer secret is hashed and looked up once per VERDICT_SECONDS per process (so a
revocation reaches every worker of every instance within that time, and checking a key costs
a dict look-up otherwise). While the database is away, the verdicts a process already has are
kept, so reads keep being served; a key it has never seen then gets a 503, not a 401.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import DatabaseError, transaction
from django.utils import timezone

from backend_site.api_keys.models import MAX_RATE, SCOPES, ApiKey
from backend_site.audit import log

PREFIX = "lbk_"  # so secret scanners can recognise a leaked key
VERDICT_SECONDS = 5.0
LAST_USED_EVERY = timedelta(seconds=60)  # last_used_at is written at most this often
VERDICTS_MAX = 10_000


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: the key's name, its scopes and its rate (requests a second, None:
    unlimited)."""

    name: str
    scopes: frozenset[str]
    rate: int | None = None


# BACKEND_SERVICE_TOKEN, from before keys: what it could always do, so deployments keep running.
LEGACY = Caller("service-token", frozenset({"read", "write"}))
# BACKEND_READ_TOKEN: a read-only secret a deployment hands the public frontend.
READ_TOKEN = Caller("read-token", frozenset({"read"}))


class KeysUnavailable(Exception):
    """The database is away and this process has no verdict on the key yet."""


@dataclass(frozen=True, slots=True)
class _Verdict:
    name: str
    scopes: frozenset[str]
    expires_at: datetime | None
    revoked: bool
    rate: int | None = None


_lock = threading.Lock()
_verdicts: dict[str, tuple[float, _Verdict | None]] = {}
_any_key: list[tuple[float, bool]] = []


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def scopes_clean(text: str) -> list[str]:
    """The scopes named in ``text`` ("read,write"), in SCOPES' order; ValueError if none or
    one is unknown."""
    named = {scope.strip() for scope in text.split(",") if scope.strip()}
    unknown = sorted(named - set(SCOPES))
    if unknown or not named:
        raise ValueError(f"scopes must be some of {', '.join(SCOPES)}, not {text!r}")
    return [scope for scope in SCOPES if scope in named]


def rate_clean(text: str | None) -> int | None:
    """Requests a second from "50/s" (or "50"); None for none. ValueError if unreadable."""
    if not text:
        return None
    number = text.strip().removesuffix("/s")
    if not number.isdigit() or not 1 <= int(number) <= MAX_RATE:
        raise ValueError(f"rate must be requests a second from 1 to {MAX_RATE}, like 50/s")
    return int(number)


def key_create(
    *,
    name: str,
    scopes: str,
    expires_at: datetime | None = None,
    rate: int | None = None,
    replace: bool = False,
    actor: str | None = None,
) -> tuple[ApiKey, str]:
    """A new key and its secret, which is shown once and never stored; ``replace`` first
    deletes a key of that name (its secret stops working). Recorded in the audit log as
    ``key.create`` by ``actor`` (default: the API key of the request being served)."""
    secret = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        replaced = replace and ApiKey.objects.filter(name=name).delete()[0] > 0
        key = ApiKey.objects.create(
            name=name,
            digest=digest(secret),
            prefix=secret[:12],
            scopes=",".join(scopes_clean(scopes)),
            expires_at=expires_at,
            rate=rate,
        )
        log.record(
            actor=actor or log.key_actor(),
            action="key.create",
            target=f"key:{key.name}",
            detail={
                "scopes": key.scopes,
                "rate": key.rate,
                "expires_at": key.expires_at,
                "prefix": key.prefix,
                "replaced": replaced,
            },
        )
    return key, secret


def key_revoke(*, name: str, actor: str | None = None) -> ApiKey:
    """Revoke the key ``name`` (ApiKey.DoesNotExist if there is none); idempotent. A
    revocation is recorded in the audit log as ``key.revoke`` by ``actor`` (default: the API
    key of the request being served); revoking a revoked key changes and records nothing."""
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().get(name=name)
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            log.record(
                actor=actor or log.key_actor(),
                action="key.revoke",
                target=f"key:{key.name}",
                detail={"prefix": key.prefix},
            )
    return key


def caller_for(secret: str) -> Caller | None:
    """The caller holding ``secret``, or None for an unknown, revoked or expired key."""
    verdict = _verdict(digest(secret))
    if verdict is None or verdict.revoked:
        return None
    if verdict.expires_at is not None and verdict.expires_at <= timezone.now():
        return None
    return Caller(verdict.name, verdict.scopes, verdict.rate)


def keys_exist() -> bool:
    """Whether any key was ever made (cached like verdicts; True while the database is away)."""
    now = time.monotonic()
    if _any_key and _any_key[0][0] > now:
        return _any_key[0][1]
    try:
        exists = ApiKey.objects.exists()
    except DatabaseError:
        exists = True
    _any_key[:] = [(now + VERDICT_SECONDS, exists)]
    return exists


def forget() -> None:
    """Drop every cached verdict (tests)."""
    with _lock:
        _verdicts.clear()
        _any_key.clear()


def _verdict(key_digest: str) -> _Verdict | None:
    now = time.monotonic()
    cached = _verdicts.get(key_digest)
    if cached is not None and cached[0] > now:
        return cached[1]
    try:
        found = ApiKey.objects.filter(digest=key_digest).first()
    except DatabaseError:
        if cached is None:
            raise KeysUnavailable from None
        _keep(key_digest, now, cached[1])  # the last verdict stands while the database is away
        return cached[1]
    verdict = None
    if found is not None:
        verdict = _Verdict(
            found.name,
            frozenset(found.scope_list),
            found.expires_at,
            found.revoked_at is not None,
            found.rate,
        )
        _touch(found)
    _keep(key_digest, now, verdict)
    return verdict


def _keep(key_digest: str, now: float, verdict: _Verdict | None) -> None:
    with _lock:
        if len(_verdicts) >= VERDICTS_MAX:
            _verdicts.clear()
        _verdicts[key_digest] = (now + VERDICT_SECONDS, verdict)


def _touch(key: ApiKey) -> None:
    now = timezone.now()
    if key.revoked_at is None and (
        key.last_used_at is None or now - key.last_used_at > LAST_USED_EVERY
    ):
        with contextlib.suppress(DatabaseError):
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
