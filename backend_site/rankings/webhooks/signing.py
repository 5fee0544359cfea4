"""Leaderboard-Signature: ``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`` keyed
with the endpoint's secret, so a receiver knows the body is ours and recent."""

from __future__ import annotations

import hashlib
import hmac
import secrets

SECRET_BYTES = 32


def secret_new() -> str:
    """A new endpoint secret: 256 random bits, URL-safe text."""
    return "whsec_" + secrets.token_urlsafe(SECRET_BYTES)


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The Leaderboard-Signature header's value for ``body`` sent at ``timestamp``."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"
