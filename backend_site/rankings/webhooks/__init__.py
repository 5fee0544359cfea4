"""Signed webhooks: the endpoints (endpoints.py), the outbox every event is written to in
the transaction of the change that caused it (outbox.py, its payloads in events.py), the
#1 of each board's current period that leader.changed follows (leaders.py), and the
deliverer that POSTs them, signed, in order per board, retrying with backoff for 24 h
(delivery.py, signing.py). Writes call it; it imports no Redis and no writes."""
