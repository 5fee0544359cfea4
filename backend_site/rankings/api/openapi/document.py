"""The API's OpenAPI 3.1 document, served at GET /api/v1/openapi.json (to a `read` key).

Written as Python rather than kept as a JSON file so that every bound in it (page sizes,
the score range, the player id pattern, the batch size, name length) is the very constant
``inputs.py`` checks: the two cannot drift. The rest is kept true by tests:
``tests/backend/api/test_openapi.py`` compares the paths, their parameters and methods with the
URL configuration and validates the document against the OpenAPI 3.1 schema,
``tests/backend/api/test_openapi_rules.py`` holds the rules that keep generated clients clean
(and docs/openapi.json equal to the document), and ``tests/backend/api/test_api_fuzz.py``
fuzzes a served backend with schemathesis and checks every answer against it.

The health probes (/healthz, /readyz) are not in it: they are answered by middleware before
the URL configuration, take no token and serve load balancers, not the API's callers.

Each operation names the scope it needs (``security``: the bearer scheme with the scope as
its role name, which OpenAPI 3.1 allows for any scheme) and documents what
``backend_site/access.py`` answers before any view runs: 401 (no valid key), 403 (outside
the networks, or without the scope), 429 (over the key's rate, ``backend_site/limits.py``)
and 503 (keys not checkable while the database is away), and what the server refuses
before the backend sees the request (414, 431: ``common/refusals.py``).
"""

from __future__ import annotations

import copy
import functools
import json

import orjson

from backend_site.api_keys.keys import PREFIX as KEY_PREFIX
from backend_site.rankings.api.openapi import (
    lookup_schemas,
    manage_schemas,
    moderation_schemas,
    schemas,
)
from backend_site.rankings.api.openapi.board_paths import BOARD_PATHS
from backend_site.rankings.api.openapi.export_paths import EXPORT_PATHS
from backend_site.rankings.api.openapi.lookup_paths import LOOKUP_PATHS
from backend_site.rankings.api.openapi.manage_paths import MANAGE_PATHS
from backend_site.rankings.api.openapi.moderation_paths import MODERATION_PATHS
from backend_site.rankings.api.openapi.parameters import PARAMETERS
from backend_site.rankings.api.openapi.parts import SECURITY_SCHEME, TAGS, TITLE, VERSION
from backend_site.rankings.api.openapi.responses import HEADERS, RESPONSES


def paths_merged(*groups: dict) -> dict:
    """Every group's paths; a path in several groups gets each one's operations (the GET of
    /api/v1/leaderboards is a board read, its POST board management)."""
    merged: dict = {}
    for group in groups:
        for path, item in group.items():
            clash = (
                {"get", "put", "post", "delete", "patch"} & set(merged.get(path, {})) & set(item)
            )
            if clash:
                raise ValueError(f"{path}: {', '.join(sorted(clash))} described twice")
            merged[path] = {**merged.get(path, {}), **item}
    return merged


PATHS = paths_merged(BOARD_PATHS, EXPORT_PATHS, LOOKUP_PATHS, MODERATION_PATHS, MANAGE_PATHS)
SCHEMAS = {
    **schemas.SCHEMAS,
    **lookup_schemas.SCHEMAS,
    **moderation_schemas.SCHEMAS,
    **manage_schemas.SCHEMAS,
}
# The committed copy (for reading and generating clients without a running backend), kept
# equal to document() by tests/backend/api/test_openapi_rules.py; `make openapi` rewrites it.
COMMITTED_PATH = "docs/openapi.json"

DESCRIPTION = """\
The private ranking service. Every path needs `Authorization: Bearer <secret>`, an API key or
a service token (401 `unauthorized` without a valid one, with `WWW-Authenticate`), holding the
scope the operation names in its `security`: `read` for every GET (and HEAD) and a players
lookup, `write` for score submissions, `moderate` for every method under the moderation
paths, the audit log's included, `manage` for making, changing and deleting boards (403
`insufficient_scope` otherwise). The caller must also be inside `BACKEND_ALLOWED_NETWORKS`
(403 `forbidden` otherwise).

A key may have a rate (requests a second, with a burst of as many), and a board a number of
submissions a minute each player may make to it (`max_submissions_per_minute`): over either
is a 429 `rate_limited` with `Retry-After` and the IETF RateLimit header fields
`RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (whole seconds). Answers to a
key with a rate, and a submission's success on a board with a limit, carry the RateLimit
fields too, for the limit with the fewest requests left.

A moderator may hide or ban a player (`/api/v1/players/{player_id}/sanctions`). A hidden
player is left out of every read, their standing and history answering 404
`player_not_found` as for a player without a score there, and their submissions are stored
but ranked nowhere (200 with `rank` null); a banned player is hidden and their submissions
are refused with 403 `player_banned`.

Errors are always JSON, `{"error": {"code": "...", "message": "..."}}` (the `Error` schema,
the same for every error answer); each error answer lists the codes it may carry, in its
description and as `x-error-codes`, and a code is stable while a message may change. A
method an operation does not list is a 405 `method_not_allowed` with an `Allow` header
(HEAD is served wherever GET is); an unknown path is a 404 `not_found`. 503s carry
`Retry-After`. Unknown query parameters are ignored. A request line over 4094 bytes (414
`uri_too_long`), or a header field over 8190 bytes or over 100 of them (431
`headers_too_large`), is refused by the server before the backend sees it: JSON too,
without X-Request-ID.

The health probes `/healthz` (open) and `/readyz` (allowlist only, no token) are outside this
API; see the README.
"""


SECURITY_SCHEME_OBJECT = {
    "type": "http",
    "scheme": "bearer",
    "description": (
        "`Authorization: Bearer <secret>`, one of three kinds of secret: an API key "
        f"(`{KEY_PREFIX}...`, made with `manage.py api_keys create`, with its own scopes "
        "and perhaps a rate and an expiry; revocable); a BACKEND_SERVICE_TOKEN (the legacy "
        "shared secret: scopes `read` and `write`); or a BACKEND_READ_TOKEN (`read` only). Each "
        "setting may list several, comma-separated, to rotate. The scopes an operation needs "
        "are its `security` requirement's role names: `read` (every GET and HEAD, this "
        "document included), `write` (score submissions and batches), `moderate` (every "
        "method under the moderation paths, the audit log's included), `manage` (making, "
        "changing and deleting boards)."
    ),
}


def document() -> dict:
    """The OpenAPI 3.1 document, as a new dict (tools that read it may write to it)."""
    return copy.deepcopy(
        {
            "openapi": "3.1.0",
            "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
            "tags": TAGS,
            "paths": PATHS,
            "components": {
                "securitySchemes": {SECURITY_SCHEME: SECURITY_SCHEME_OBJECT},
                "schemas": SCHEMAS,
                "parameters": PARAMETERS,
                "headers": HEADERS,
                "responses": RESPONSES,
            },
        }
    )


@functools.cache
def document_json() -> bytes:
    """The document as JSON bytes, built once per process."""
    return orjson.dumps(document(), option=orjson.OPT_INDENT_2)


def document_text() -> str:
    """The document as the committed docs/openapi.json holds it: keys sorted, indented, a
    trailing newline (so a change to it reads as a small diff)."""
    return json.dumps(document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
