"""The HTTP API: views and URLs (the audit log's too), parsing what callers send, errors,
idempotent retries and the OpenAPI document. It calls reads/ and writes/ (and idempotency
its db/ module), never Redis directly."""
