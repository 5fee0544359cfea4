"""Leaderboard-Signature, checked by the README's own snippet: no server (make test-fast)."""

from __future__ import annotations

import time

from backend_site.rankings.webhooks import signing
from tests.backend.webhooks.conftest import readme_verify

SECRET = "whsec_a-secret-for-this-test"
BODY = b'{"id":"e1","type":"player.erased","created_at":"2026-12-06T18:00:00Z","data":{}}'


def test_the_readme_snippet_accepts_our_signature_and_refuses_any_change_or_a_replay():
    verify = readme_verify()
    now = int(time.time())
    header = signing.signature(secret=SECRET, timestamp=now, body=BODY)
    assert header.startswith(f"t={now},v1=") and len(header.split("v1=")[1]) == 64
    assert verify(SECRET, BODY, header)
    assert not verify(SECRET, BODY.replace(b"e1", b"e2"), header)  # another body
    assert not verify("whsec_another", BODY, header)  # another secret
    assert not verify(SECRET, BODY, header.replace(f"t={now}", f"t={now + 1}"))  # another t
    old = signing.signature(secret=SECRET, timestamp=now - 3600, body=BODY)
    assert not verify(SECRET, BODY, old)  # signed right, an hour ago: a replay
    for broken in ["", "v1=abc", "t=x,v1=abc", f"t={now}"]:
        assert not verify(SECRET, BODY, broken)


def test_a_new_secret_is_long_random_and_url_safe():
    made = {signing.secret_new() for _ in range(50)}
    assert len(made) == 50
    assert all(s.startswith("whsec_") and len(s) >= 46 for s in made)
    assert all(s[6:].replace("-", "").replace("_", "").isalnum() for s in made)
