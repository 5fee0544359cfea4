"""The HTTP API: views and URLs, parsing what callers send, errors, idempotent
retries and the OpenAPI document. It calls reads/ and writes/, never Redis or SQL
directly."""
