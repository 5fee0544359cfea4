"""Tests of rankings/api: the HTTP API, its parsing, errors, idempotency and document."""
