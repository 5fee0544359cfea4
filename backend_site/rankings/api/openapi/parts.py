"""The pieces the document is made of: the tags, references, the shapes of ids, names, scores
and times (each the very constant the API checks), and the builders every path module uses:
``operation``, ``answer``, ``no_content``, ``error`` and ``error_responses``."""

from __future__ import annotations

import re

from backend_site.rankings import fields
from backend_site.rankings.models import MAX_SCORE, PLAYER_ID_PATTERN
from common import patterns

TITLE = "Leaderboard ranking API (private backend)"
VERSION = "1"
SECURITY_SCHEME = "bearerAuth"

# Every operation has exactly one of these (generated clients make a module of each).
TAGS = [
    {"name": "leaderboards", "description": "The boards: their settings, pages and periods."},
    {"name": "players", "description": "A player on a board: their standing and history."},
    {"name": "scores", "description": "Submitting scores, one or a batch."},
    {
        "name": "moderation",
        "description": "Sanctions, rollbacks, erasure and the review queue (`moderate`).",
    },
    {"name": "audit", "description": "The audit log: who changed what (`moderate`)."},
    {"name": "meta", "description": "This document."},
]
TAG_NAMES = frozenset(tag["name"] for tag in TAGS)
OPERATION_ID = re.compile(r"^[a-z][a-zA-Z0-9]*$")  # camelCase: getEntries, submitScore


def ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def json_content(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def nullable(schema: dict, **rest) -> dict:
    """The schema or null, as OpenAPI 3.1 says it: ``type: [X, "null"]``, or for a $ref (which
    takes no type) ``anyOf: [$ref, {type: null}]``."""
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}], **rest}
    return {**schema, "type": [schema["type"], "null"], **rest}


def integer(low: int, high: int | None = None) -> dict:
    schema = {"type": "integer", "minimum": low}
    if high is not None:
        schema["maximum"] = high
    return schema


def query_integer(name: str, description: str, *, default: int, low: int, high: int) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"{description} Empty or absent means {default}.",
        # The empty value is the default too: a form's blank field must not be an error.
        "schema": {"anyOf": [integer(low, high), {"const": ""}], "default": default},
    }


def object_schema(properties: dict, *, optional: tuple[str, ...] = (), **rest) -> dict:
    """A closed object (no other properties), every property required but the ``optional``."""
    return {
        "type": "object",
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
        "properties": properties,
        **rest,
    }


def array_of(name: str, **rest) -> dict:
    """An array of the components' schema ``name``."""
    return {"type": "array", "items": ref("schemas", name), **rest}


PLAYER_ID = {
    "type": "string",
    "pattern": PLAYER_ID_PATTERN,
    "description": "1–64 letters, digits, '_', '.', ':' or '-'.",
}
SLUG = {"type": "string", "pattern": patterns.SLUG}
SCORE = {**integer(-MAX_SCORE, MAX_SCORE), "description": "An integer within ±(2^53 − 1)."}
# Control characters, and the invisible formatting ones most used to pass for another name
# (the server refuses every Unicode format character but the joiner and tags of emoji).
UNSEEN = r"\x00-\x1f\x7f-\x9f\xad\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u206f\ufeff"
NAME = {
    "type": ["string", "null"],
    "minLength": 1,
    "maxLength": patterns.NAME_MAX,
    # At least one visible character, none unseen (the server also trims spaces).
    "pattern": rf"^[^{UNSEEN}]*[^\s{UNSEEN}][^{UNSEEN}]*$",
    "description": (
        f"The player's display name, 1–{patterns.NAME_MAX} characters after trimming, no control "
        "characters and no invisible formatting ones (direction overrides, zero-width spaces; "
        "the joiner and tags of emoji sequences are allowed); required for a player the "
        "backend has not seen (a 400 otherwise), and renames the player when it differs."
    ),
}
RANK = integer(1)
RANK_OR_NULL = nullable(integer(1))
RANK_CHANGE = {
    "type": ["integer", "null"],
    "description": (
        "Places gained since the board's last daily snapshot (00:00 in its zone): negative "
        "means fallen, null means new on the board since then."
    ),
}
PERIOD_ID = {"type": "string", "pattern": patterns.PERIOD_ID}
DATETIME = {"type": "string", "format": "date-time"}
DATETIME_OR_NULL = nullable(DATETIME)
# A sanction id in a path: inputs.sanction_id_clean takes 1 to 18 digits, no leading zero
# (tests/backend/api/test_openapi.py checks the two agree).
# An entry's metadata: the components' `Metadata` schema (schemas.py), sent as given on a
# submission, and on reads only when asked (`include=metadata`): an object, or null for none.
METADATA = {"$ref": "#/components/schemas/Metadata"}
METADATA_READ = {
    "anyOf": [METADATA, {"type": "null"}],
    "description": "The entry's metadata (sent only with `include=metadata`); null for none.",
}
# An entry's tie-break columns (subscores.py): the components' `Subscores` schema, sent on
# a submission to a board with them, and on every entry read from one.
SUBSCORES = {"$ref": "#/components/schemas/Subscores"}
SUBSCORE_ORDERS = {
    "type": "array",
    "items": {"$ref": "#/components/schemas/SubscoreOrder"},
    "maxItems": 2,
    "description": (
        "The board's tie-break columns, compared in turn when scores are equal, before who got "
        "there first: `asc` (lower is better: fewest moves) or `desc` (higher is better). "
        "Empty: none. Fixed once the board has scores."
    ),
}
PERCENTILE = {
    "type": "number",
    "minimum": 0,
    "maximum": 100,
    "description": "Share of players with a strictly worse score.",
}
PERIOD_OR_NULL = nullable(
    ref("schemas", "Period"), description="The period; null on a board that never resets."
)
SANCTION_ID_MAX = 10**18 - 1
# A sanction's reason: no control character but tab and newline (inputs.sanction_parse also
# refuses lone surrogates, which a pattern cannot say).
REASON = {
    "type": "string",
    "maxLength": fields.REASON_MAX,
    "pattern": r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$",
}
HIDDEN_RANK = (
    "null while Redis is away (status 202), and for a player a moderator has hidden (status "
    "200: the score is stored, and ranked nowhere until the sanction ends)."
)


# --- answers -----------------------------------------------------------------------------------

# Every answer of the backend carries the request id (the caller's X-Request-ID when well
# formed, else a new one); every answer past the access check may carry the IETF RateLimit
# fields (when the key has a rate, and on a submission's success on a board with a limit).
REQUEST_ID = {"X-Request-ID": ref("headers", "X-Request-ID")}
RATE_LIMIT_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
RATE_LIMIT = {name: ref("headers", name) for name in RATE_LIMIT_HEADERS}
# The same fields, required: on a 429, with Retry-After.
RATE_LIMITED = {
    "Retry-After": ref("headers", "Retry-After"),
    **{name: ref("headers", f"{name}-Required") for name in RATE_LIMIT_HEADERS},
}
REPLAYED = {"Idempotent-Replayed": ref("headers", "Idempotent-Replayed")}


def answer(
    description: str,
    schema: dict,
    *,
    replayed: bool = False,
    headers: dict | None = None,
    media: str = "application/json",
    example: object = None,
) -> dict:
    """A success: JSON of ``schema`` (a $ref to a components schema, or an array of them), with
    the request id, the optional RateLimit fields, Idempotent-Replayed if ``replayed``, and
    ``headers`` (each a $ref to responses.HEADERS). Another ``media`` (``text/csv``, with a
    string ``schema``) for a body that is not JSON; never HTML."""
    content = {"schema": schema, **({"example": example} if example is not None else {})}
    return {
        "description": description,
        "headers": {
            **REQUEST_ID,
            **RATE_LIMIT,
            **(REPLAYED if replayed else {}),
            **(headers or {}),
        },
        "content": {media: content},
    }


def no_content(description: str) -> dict:
    """A 204: no body, the usual headers."""
    return {"description": description, "headers": {**REQUEST_ID, **RATE_LIMIT}}


def error(
    description: str, *codes: str, headers: dict | None = None, rate_limit: bool = True
) -> dict:
    """An error answer: the one ``Error`` schema, with the ``codes`` this answer may carry
    (listed in its description and as ``x-error-codes``, which the tests check answers
    against). ``rate_limit=False`` for the access check's answers, given before the rate is
    counted."""
    listed = ", ".join(f"`{code}`" for code in codes)
    return {
        "description": f"{description}\n\nError codes: {listed}.",
        "x-error-codes": list(codes),
        "headers": {**REQUEST_ID, **(RATE_LIMIT if rate_limit else {}), **(headers or {})},
        "content": json_content(ref("schemas", "Error")),
    }


# The components' error answers by status (responses.py), for ``error_responses``. An
# operation with an error of its own (a 404 that names what is missing) gives it in its
# ``responses``, as a $ref to another of the components' answers, or an ``error(...)``.
COMMON_ERRORS = {
    400: "Invalid",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    411: "LengthRequired",
    413: "TooLarge",
    414: "UriTooLong",
    422: "Unprocessable",
    429: "RateLimited",
    431: "HeadersTooLarge",
    503: "Unavailable",
}
# What every operation may answer before its view runs: the server's refusals (414, 431),
# then the access check's (401, 403, 429; 503 when a key cannot be checked).
ACCESS_ERRORS = (401, 403, 414, 429, 431, 503)
# What an operation with a JSON body may answer too.
BODY_ERRORS = (400, 411, 413)


def error_responses(*statuses: int) -> dict:
    """``{"404": {"$ref": ".../responses/NotFound"}, ...}`` for the common errors named."""
    return {str(status): ref("responses", COMMON_ERRORS[status]) for status in statuses}


def operation(
    *,
    tag: str,
    operation_id: str,
    summary: str,
    scope: str,
    responses: dict,
    errors: tuple[int, ...] = (),
    body: str | None = None,
    **rest,
) -> dict:
    """An operation under ``tag``, that needs a bearer secret with ``scope`` (what access.py's
    scope_needed requires). Its ``responses`` are its successes and any error of its own; the
    common ``errors`` it may answer are named by status (``(400, 404)``), and the access
    check's (``ACCESS_ERRORS``) are always added. ``body`` names the components schema of its
    JSON request body, which adds ``BODY_ERRORS``. ``rest``: ``description``, ``parameters``."""
    if tag not in TAG_NAMES:
        raise ValueError(f"{operation_id}: tag {tag!r} is not one of parts.TAGS")
    if not OPERATION_ID.match(operation_id):
        raise ValueError(f"operationId {operation_id!r} is not camelCase")
    statuses = (*ACCESS_ERRORS, *errors, *(BODY_ERRORS if body else ()))
    answers = {**error_responses(*statuses), **responses}
    if body:
        rest["requestBody"] = {"required": True, "content": json_content(ref("schemas", body))}
    return {
        "tags": [tag],
        "operationId": operation_id,
        "summary": summary,
        **rest,
        "security": [{SECURITY_SCHEME: [scope]}],
        "responses": dict(sorted(answers.items())),
    }
