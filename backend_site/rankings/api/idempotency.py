"""Idempotent POSTs: a retried request with the same Idempotency-Key applies once.

The key is claimed in the same transaction as the write, so the write and the key commit
together or not at all; a concurrent request with the same key waits for that commit on the
key's row and then replays. The answer is stored with the key (completed with ranks after
the commit) and replayed for 24 hours; older keys are reused and pruned.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable

from django.http import HttpResponse

from backend_site.rankings.db import idempotency_keys, transactions
from backend_site.rankings.errors import ApiError
from backend_site.rankings.models import IdempotencyKey

PRUNE_CHANCE = 0.01  # about one claim in a hundred removes a chunk of expired keys
WAIT_FOR_ANSWER = 2.0  # how long a replay waits for the first request to finish its answer


class KeyReused(ApiError):
    def __init__(self):
        super().__init__(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was used with a different request; use a new key.",
        )


def fingerprint(*, path: str, body: bytes) -> str:
    """What makes two requests the same request: the path and the exact body."""
    return hashlib.sha256(path.encode() + b"\n" + body).hexdigest()


def _replay(*, key: str, fingerprint: str, settle: Callable[[bytes], None] | None) -> HttpResponse:
    deadline = time.monotonic() + WAIT_FOR_ANSWER
    while True:
        stored = IdempotencyKey.objects.filter(key=key).first()
        if stored is not None and stored.fingerprint != fingerprint:
            raise KeyReused()
        if stored is not None and (stored.complete or time.monotonic() >= deadline):
            break
        time.sleep(0.02)
    if not stored.complete and settle is not None:
        # The first request committed but never finished its answer: it may have died
        # before its changes reached Redis, and nothing else would bring them there.
        settle(bytes(stored.body))
    response = HttpResponse(
        bytes(stored.body), status=stored.status, content_type="application/json"
    )
    response["Idempotent-Replayed"] = "true"
    return response


def run(
    *,
    key: str,
    fingerprint: str,
    write: Callable[[], object],
    answer: Callable[[object], HttpResponse],
    settle: Callable[[bytes], None] | None = None,
) -> HttpResponse:
    """Apply ``write`` once per key: the first request writes and answers, retries replay.

    ``answer`` turns the write's result into the response; it is called once inside the
    transaction (an answer stored even if this process dies right after the commit) and
    once after it, when the ranks Redis gives are known. ``settle`` gets the stored answer
    of a first request that never completed it, to bring Redis up to what it committed.
    """
    with transactions.write_transaction():
        if not idempotency_keys.key_claim(key=key, fingerprint=fingerprint):
            replay = True
        else:
            replay = False
            result = write()
            first = answer(result)
            IdempotencyKey.objects.filter(key=key).update(
                status=first.status_code, body=first.content
            )
    if replay:
        return _replay(key=key, fingerprint=fingerprint, settle=settle)
    response = answer(result)
    IdempotencyKey.objects.filter(key=key).update(
        status=response.status_code, body=response.content, complete=True
    )
    if random.random() < PRUNE_CHANCE:
        idempotency_keys.keys_prune()
    return response
