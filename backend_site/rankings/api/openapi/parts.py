"""The pieces the document is made of: references, answers and errors, bounded integers,
the shapes of ids, names, scores and times (each the very constant the API checks), and
the operation a path method is."""

from __future__ import annotations

from backend_site.rankings import fields
from backend_site.rankings.api import inputs
from backend_site.rankings.models import MAX_SCORE, PLAYER_ID_PATTERN
from common import patterns

TITLE = "Leaderboard ranking API (private backend)"
VERSION = "1"


def ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def json_content(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


# Every answer carries the request id (the caller's X-Request-ID when well formed, else a
# new one), so it is documented, and checked, on every response.
REQUEST_ID = {"X-Request-ID": ref("headers", "X-Request-ID")}


# The IETF RateLimit header fields: required on a 429; optional on every other answer the
# backend makes past the access check (present when the key has a rate, and on a score
# submission's success on a board with a per-player limit).
RATE_LIMIT_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
RATE_LIMITED = {name: ref("headers", name) for name in ("Retry-After", *RATE_LIMIT_HEADERS)}


def rate_limit_optional() -> dict:
    """The RateLimit fields as optional headers: a $ref cannot change a header's `required`,
    so these are copies of the components' headers."""
    from backend_site.rankings.api.openapi.components import HEADERS  # (which use these parts)

    return {
        name: {
            **HEADERS[name],
            "required": False,
            "description": (
                HEADERS[name]["description"] + " Present when the key has a rate (and on a "
                "score submission's success on a board with a per-player limit): the limit "
                "with the fewest requests left."
            ),
        }
        for name in RATE_LIMIT_HEADERS
    }


def answer(description: str, schema: dict, *, rate_limit: bool = True, **headers: dict) -> dict:
    """A JSON answer with the request id, and the optional RateLimit fields unless the access
    check (which comes before the rate is counted) is what answers."""
    return {
        "description": description,
        "headers": {
            **REQUEST_ID,
            **(rate_limit_optional() if rate_limit else {}),
            **headers,
        },
        "content": json_content(schema),
    }


def error_schema(*codes: str) -> dict:
    """The one error shape, {"error": {"code", "message"}}, with the codes this status uses."""
    return {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "additionalProperties": False,
                "properties": {
                    "code": {"type": "string", "enum": list(codes)},
                    "message": {"type": "string"},
                },
            }
        },
    }


def error(description: str, *codes: str, rate_limit: bool = True, **headers: dict) -> dict:
    return answer(description, error_schema(*codes), rate_limit=rate_limit, **headers)


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
RANK_OR_NULL = {"type": ["integer", "null"], "minimum": 1}


RANK_CHANGE = {
    "type": ["integer", "null"],
    "description": (
        "Places gained since the board's last daily snapshot (00:00 in its zone): negative "
        "means fallen, null means new on the board since then."
    ),
}
PERIOD_ID = {"type": "string", "pattern": patterns.PERIOD_ID}
DATETIME = {"type": "string", "format": "date-time"}
DATETIME_OR_NULL = {"anyOf": [DATETIME, {"type": "null"}]}
# A sanction id in a path: inputs.sanction_id_clean takes 1 to 18 digits, no leading zero
# (tests/backend/api/test_openapi.py checks the two agree).
SANCTION_ID_MAX = 10**18 - 1
# A sanction's reason: no control character but tab and newline (inputs.sanction_parse also
# refuses lone surrogates, which a pattern cannot say).
REASON = {
    "type": "string",
    "maxLength": fields.REASON_MAX,
    "pattern": r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$",
}
SANCTION_ACTION = {
    "type": "string",
    "enum": list(inputs.SANCTION_ACTIONS),
    "description": (
        "`hide`: off every read (boards, counts, periods, the player's standing and history), "
        "their submissions still taken and answered with `rank` null; `ban`: hidden, and their "
        "submissions refused with 403 `player_banned`."
    ),
}
HIDDEN_RANK = (
    "null while Redis is away (status 202), and for a player a moderator has hidden (status "
    "200: the score is stored, and ranked nowhere until the sanction ends)."
)


def object_schema(properties: dict, *, optional: tuple[str, ...] = ()) -> dict:
    return {
        "type": "object",
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
        "properties": properties,
    }


# Every operation may answer these: gunicorn's refusals, then the access check's (a 503 when
# a key cannot be checked).
GUARDED = {
    "401": ref("responses", "Unauthorized"),
    "403": ref("responses", "Forbidden"),
    "414": ref("responses", "UriTooLong"),
    "429": ref("responses", "RateLimited"),
    "431": ref("responses", "HeadersTooLarge"),
    "503": ref("responses", "Unavailable"),
}
READ_ERRORS = {
    "400": ref("responses", "Invalid"),
    **GUARDED,
    "404": ref("responses", "NotFound"),
}
# A player's standing and history: their 404 says whether the player is the one missing.
STANDING_ERRORS = {**READ_ERRORS, "404": ref("responses", "PlayerNotFound")}
BODY_ERRORS = {
    "411": ref("responses", "LengthRequired"),
    "413": ref("responses", "TooLarge"),
}
# Score submissions: a banned player's is a 403 too.
WRITE_ERRORS = {
    **READ_ERRORS,
    "403": ref("responses", "SubmissionForbidden"),
    **BODY_ERRORS,
    "422": ref("responses", "Unprocessable"),
}
REPLAYED = {"Idempotent-Replayed": ref("headers", "Idempotent-Replayed")}


SECURITY_SCHEME = "bearerAuth"


def operation(operation_id: str, summary: str, responses: dict, *, scope: str, **rest) -> dict:
    """An operation that needs a bearer secret with ``scope`` (what access.py's scope_needed
    requires: `moderate` under the moderation paths, else `read` for GET, `write` for POST)."""
    return {
        "operationId": operation_id,
        "summary": summary,
        **rest,
        "security": [{SECURITY_SCHEME: [scope]}],
        "responses": responses,
    }
