"""The API fuzzed with schemathesis against its own OpenAPI document, on a served backend.

Schemathesis reads the document the backend serves (GET /api/v1/openapi.json, with the
token), generates requests from it, valid and invalid, and checks every answer: never a 5xx,
a documented status, a body and headers that match the document, JSON as said, invalid
input refused with a 4xx, an undocumented method refused with a 405 and an Allow header,
and no answer without the token. The backend is the real one under gunicorn with a real
Redis and database, but its own, not the session's ``backend_server``: the fuzzing writes
scores up to ±(2^53 − 1) on its boards, which the frontend tests' ladder on the global
board could never top.

The caller holds an API key with every scope (BACKEND_SERVICE_TOKEN has only `read` and
`write`), so the moderation paths are fuzzed too, not refused with a 403 at the door.

Generated slugs and player ids almost never exist, so most requests would stop at a 404
before any ranking code ran: valid requests are steered, three times in four, to the boards
and players made here first (boards with each order and operator). Hypothesis runs
derandomized, so CI sees the same cases every run.

Every error must also carry one of the codes its answer lists (``x-error-codes``: the
document has one Error schema for every error answer, so its codes are listed there).

Boards are made, changed and deleted by the fuzzing too: changes and deletions are steered to
boards of their own (MANAGED), some with scores (their reset and zone fixed) and some without,
and boards are made under names of their own (``made-...``), so the boards the other
operations read and write stay as they are, and an invalid case's slug still names no board.

Sanctions are fuzzed too. A banned and a hidden player, sanctioned before the fuzzing, are
among the players the other operations are steered to (a banned player's submission is a
403, a hidden one's is taken unranked, neither has a standing). The fuzzed sanction requests
are steered to players of their own, some of whose sanctions run out during the run, so what
the rest of the fuzzing sees does not depend on the order the operations run in. Hostile
inputs no generator is sure to draw (ids past the database's range, broken JSON, times with
no UTC date, control characters in a reason, a chunked body) are sent as explicit cases,
each with the answer it must get, checked against the document too; they read and write a
banned and a hidden player of their own, which no fuzzed erasure reaches.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from backend_site.api_keys.models import SCOPES
from backend_site.rankings.api.openapi import document as openapi
from backend_site.rankings.writes import boards as board_writes
from common import patterns
from common.local_servers import GunicornSite
from tests.fixtures.sites import SERVICE_TOKEN, backend_env

AUTH = {"Authorization": f"Bearer {SERVICE_TOKEN}"}  # seeds the players, as a game server
# (slug, order, operator): one board of each kind besides the migrations' global (desc, best).
BOARDS = [("speedrun", "asc", "best"), ("clicks", "desc", "increment"), ("now", "asc", "latest")]
# A board with a tie-break column (fewest moves): its submissions carry one subscore.
TIED = "puzzle"
SLUGS = ["global"] + [slug for slug, _, _ in BOARDS] + [TIED]
# The boards the fuzzed changes and deletions are steered to; the first two get scores.
MANAGED = ["managed-1", "managed-2", "managed-3", "managed-4"]
# Boards of the explicit cases below, which no fuzzed request is steered to: one with scores
# (its reset and zone fixed), one without.
SCORED, EMPTY = "cases-scored", "cases-empty"
SLUG_RE = re.compile(patterns.SLUG)
ZONES = ["UTC", "Europe/Paris", "Asia/Kathmandu", "America/St_Johns", "Pacific/Chatham"]
PLAYERS = [f"p{number}" for number in range(1, 9)]
# Sanctioned before the fuzzing, for good. The first two are among the players the fuzzing
# is steered to; the explicit cases use the other two.
SANCTIONED = {"banned": "ban", "hidden": "hide", "banned-2": "ban", "hidden-2": "hide"}
# The players every other request is steered to. The sanctioned come early: Hypothesis's
# random choices favour the first ones, and at the end of the list they were never drawn.
STEERED = [PLAYERS[0], "banned", "hidden", *PLAYERS[1:]]
# The players the fuzzed sanction requests are steered to.
MODERATED = ["m1", "m2", "m3"]
# (player, sanction id) of the sanctions made on MODERATED before the fuzzing, to steer the
# fuzzed lifts to: filled by the fuzzed_backend fixture.
MODERATED_SANCTIONS: list[tuple[str, int]] = []
# Generated cases per operation, besides the coverage phase's boundary cases (each bound,
# each undocumented method, each missing part): the whole run takes about a minute on
# SQLite. The PostgreSQL pass runs the first half of the same cases (they are derandomized):
# the engine matters to what a case writes, not to how its input is refused.
EXAMPLES = 150 if os.environ.get("TEST_DATABASE", "sqlite") == "sqlite" else 75


def _boards_create(site: GunicornSite) -> None:
    """Boards exist in the database only until first use, as after an admin creates them."""
    code = "from backend_site.rankings.models import Leaderboard\n" + "".join(
        f"Leaderboard.objects.create(slug={slug!r}, title={slug!r}, order={order!r}, "
        f"operator={operator!r}, subscores={'asc' if slug == TIED else ''!r})\n"
        for slug, order, operator in [
            (TIED, "desc", "best"),
            *BOARDS,
            *[(slug, "desc", "best") for slug in MANAGED],
            (SCORED, "desc", "best"),
            (EMPTY, "asc", "latest"),
        ]
    )
    done = site.manage("shell", "-c", code)
    assert done.returncode == 0, done.stderr


def _players_seed(site: GunicornSite) -> None:
    """Every known player on every board, through the API, so their standings exist."""
    items = [
        {"leaderboard": slug, "player_id": pid, "score": 10 * n, "name": f"Player {pid}"}
        | ({"subscores": [n % 3]} if slug == TIED else {})
        for slug in SLUGS
        for n, pid in enumerate([*PLAYERS, *SANCTIONED, *MODERATED])
    ]
    # A player no fuzzed erasure or rollback is steered to: these boards keep a score.
    items += [
        {"leaderboard": slug, "player_id": "keeper", "score": 1, "name": "Keeper"}
        for slug in (*MANAGED[:2], SCORED)
    ]
    answer = requests.post(
        f"{site.url}/api/v1/scores/batch", json={"scores": items}, headers=AUTH, timeout=10
    )
    assert answer.status_code == 200, answer.text


def _key_create(site: GunicornSite) -> dict[str, str]:
    """The fuzzer's headers: an API key with every scope, made as an operator would."""
    made = site.manage("api_keys", "create", "fuzzer", "--scopes", ",".join(SCOPES))
    assert made.returncode == 0, made.stderr
    return {"Authorization": f"Bearer {made.stdout.strip()}"}


def _sanctions_seed(site: GunicornSite, headers: dict[str, str]) -> None:
    """Ban and hide SANCTIONED for good; on MODERATED, sanctions to lift or list: two that
    run out a few seconds into the fuzzing, one in force, one lifted already."""
    soon = datetime.now(UTC) + timedelta(seconds=5)

    def sanction(player_id: str, action: str, until: datetime | str | None = None) -> int:
        body = {"action": action, "reason": "Seeded by the fuzz test.", "until": until}
        if isinstance(until, datetime):
            body["until"] = until.isoformat()
        made = requests.post(
            f"{site.url}/api/v1/players/{player_id}/sanctions",
            json=body,
            headers=headers,
            timeout=10,
        )
        assert made.status_code == 201, made.text
        return made.json()["id"]

    for player_id, action in SANCTIONED.items():
        sanction(player_id, action)
    made = [
        ("m1", sanction("m1", "ban", soon)),
        ("m1", sanction("m1", "hide", "9999-12-31T23:59:59.999999+00:00")),
        ("m2", sanction("m2", "hide", soon + timedelta(seconds=5))),
        ("m3", sanction("m3", "ban")),
    ]
    lifted = requests.delete(
        f"{site.url}/api/v1/players/m3/sanctions/{made[-1][1]}", headers=headers, timeout=10
    )
    assert lifted.status_code == 204, lifted.text
    MODERATED_SANCTIONS[:] = made


@dataclass(frozen=True)
class FuzzedBackend:
    site: GunicornSite
    headers: dict[str, str]  # what every fuzzed request is sent with


@pytest.fixture(scope="module")
def fuzzed_backend(redis_databases, make_database_url, tmp_path_factory):
    """A backend under gunicorn for the fuzzing alone: its own database and Redis."""
    workdir = tmp_path_factory.mktemp("fuzzed-backend")
    number = redis_databases.take()
    env = backend_env(redis_databases.server.database_url(number), make_database_url(workdir))
    site = GunicornSite("backend_site.wsgi", env, workdir / "gunicorn.log")
    site.migrate()
    _boards_create(site)
    headers = _key_create(site)
    site.start()
    _players_seed(site)
    _sanctions_seed(site, headers)
    yield FuzzedBackend(site, headers)
    site.stop()
    redis_databases.give_back(number)


# The document as the module builds it; test_openapi.py checks the backend serves exactly it.
DOCUMENT = openapi.document()
schema = schemathesis.openapi.from_dict(openapi.document())
schema.config.generation.update(
    max_examples=EXAMPLES,
    deterministic=True,
    # The key is ours to send (FuzzedBackend.headers), not a parameter to fuzz; the
    # ignored_auth check still sends requests without it and expects a 401.
    with_security_parameters=False,
    # Unknown query parameters are ignored, as the document says, not refused.
    allow_extra_parameters=False,
)
# A body past 1 MiB is refused before it is read (413): invalid data rejected too, which a
# batch of items with metadata can reach. So is a request line or a header too long for the
# server (414, 431), refused before the backend as the document says.
_rejection = schema.config.checks.negative_data_rejection
_rejection.expected_statuses = [*_rejection.expected_statuses, "413", "414", "431"]


@schema.hook
def flatmap_case(context, case):
    """Steer three valid cases in four to boards and players that exist."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return st.just(case)  # an invalid case stays exactly as generated
    return st.randoms(use_true_random=False).map(lambda rnd: _steered(case, rnd))


def _known(rnd, value: str, known: list[str]) -> str:
    return rnd.choice(known) if rnd.random() < 0.75 else value


def _steered(case, rnd):
    path = case.path_parameters or {}
    # The sanction requests to their own players, every other to the rest.
    players = MODERATED if "/sanctions" in case.path else STEERED
    # A board's changes and deletion to boards of their own, every other request to the rest.
    managing = case.path == BOARD and case.method != "GET"
    if "slug" in path:
        path["slug"] = _known(rnd, path["slug"], MANAGED if managing else SLUGS)
    if "sanction_id" in path and rnd.random() < 0.75:
        path["player_id"], path["sanction_id"] = rnd.choice(MODERATED_SANCTIONS)
    elif "player_id" in path:
        path["player_id"] = _known(rnd, path["player_id"], players)
    body = case.body if isinstance(case.body, dict) else {}
    if isinstance(body.get("source"), str):
        body["source"] = _known(rnd, body["source"], SLUGS + MANAGED)
    if isinstance(body.get("timezone"), str):  # a generated one is never a zone
        body["timezone"] = _known(rnd, body["timezone"], ZONES)
    for item in [body, *body.get("scores", [])]:
        if "player_id" in item:
            item["player_id"] = _known(rnd, item["player_id"], players)
        if "leaderboard" in item:
            item["leaderboard"] = _known(rnd, item["leaderboard"], SLUGS)
        # Subscores as the board takes them (one on TIED, none elsewhere), so most land.
        if isinstance(item.get("subscores"), list) and "score" in item:
            if item.get("leaderboard", path.get("slug")) == TIED:
                item["subscores"] = item["subscores"][:1]
            else:
                del item["subscores"]
    return case


def _made_apart(case) -> None:
    """A board made by the fuzzing, in any phase, gets a name of its own (``made-...``): a
    generated slug ("0") that other cases use, valid or not, must still name no board. Only a
    valid slug is renamed, to a valid one, so the case stays as valid as it was drawn."""
    body = case.body
    if case.path != BOARDS_PATH or case.method != "POST" or not isinstance(body, dict):
        return
    slug = body.get("slug")
    if isinstance(slug, str) and SLUG_RE.fullmatch(slug):
        body["slug"] = f"made-{slug}"[: patterns.SLUG_MAX]


def _documented_codes(path: str, method: str, status: int) -> list[str] | None:
    """The error codes the document lists for this answer (None: the status is undocumented,
    which schemathesis's own checks report). A method the path does not list gets the
    components' MethodNotAllowed."""
    operation = DOCUMENT["paths"][path].get(method.lower())
    if operation is None:
        answer = {"$ref": "#/components/responses/MethodNotAllowed"}
    else:
        answer = operation["responses"].get(str(status))
    if answer is None:
        return None
    if "$ref" in answer:
        answer = DOCUMENT["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
    return answer["x-error-codes"]


def documented_error_code(ctx, response, case) -> None:
    """An error's code is one its answer lists."""
    if response.status_code < 400 or case.method == "HEAD":  # HEAD: GET's answer, no body
        return
    codes = _documented_codes(case.path, case.method, response.status_code)
    if codes is not None:
        code = response.json()["error"]["code"]
        assert code in codes, f"{response.status_code} {code!r} is not one of {codes}"


@schema.parametrize()
@settings(
    derandomize=True,  # the same cases on every run, so CI cannot flake
    # Each case is a round trip to a server, and the document's patterns filter what is
    # drawn: Hypothesis's speed and filtering health checks would fail on that, not on a bug.
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_matches_the_document(case, fuzzed_backend):
    _made_apart(case)
    case.call_and_validate(
        base_url=fuzzed_backend.site.url,
        headers=fuzzed_backend.headers,
        timeout=10,
        # A valid submission may still be refused with a 400 for what no schema can say:
        # a new player without a name, a batch item on a board that does not exist, an
        # increment past the score range; and a valid board or change of one with a 400 or
        # 409: a zone that does not exist, a source with a source, a reset fixed by scores.
        excluded_checks=(
            [positive_data_acceptance] if case.method == "POST" or case.path == BOARD else []
        ),
        additional_checks=[documented_error_code],
    )


BOARD = "/api/v1/leaderboards/{slug}"
BOARDS_PATH = "/api/v1/leaderboards"
SANCTIONS = "/api/v1/players/{player_id}/sanctions"
LIFT = "/api/v1/players/{player_id}/sanctions/{sanction_id}"
SCORES = "/api/v1/leaderboards/{slug}/scores"
BATCH = "/api/v1/scores/batch"
STANDING = "/api/v1/leaderboards/{slug}/players/{player_id}"
HISTORY = "/api/v1/leaderboards/{slug}/players/{player_id}/history"
CHUNKED = object()  # a body sent in chunks, without a Content-Length
ERROR_CODES = {
    400: "invalid",
    403: "player_banned",
    404: "not_found",
    411: "length_required",
    413: "too_large",
}


def _lift(sanction_id: str, status: int = 400, player_id: str = "m1"):
    return pytest.param(
        "DELETE",
        LIFT,
        {"player_id": player_id, "sanction_id": sanction_id},
        None,
        status,
        id=f"DELETE sanction_id={sanction_id[:24]!r}",
    )


def _sanction(body, status: int = 400, *, label: str = ""):
    raw = body if isinstance(body, bytes) or body is CHUNKED else json.dumps(body).encode()
    return pytest.param(
        "POST", SANCTIONS, {"player_id": "m3"}, raw, status, id=f"POST {label or raw[:60]!r}"
    )


def _until(until, status: int = 400):
    return _sanction({"action": "ban", "until": until}, status, label=f"until={until!r}")


def _reason(reason, status: int = 400):
    return _sanction({"action": "hide", "reason": reason}, status, label=f"reason={reason[:24]!r}")


# What no generator is sure to draw: (method, path, path parameters, body, status expected).
HOSTILE = [
    # Sanction ids that are not positive whole numbers within the database's range.
    *[
        _lift(value)
        for value in [
            "0",
            "-1",
            "01",
            "+1",
            " 1",
            "1 ",
            "1.0",
            "1e3",
            "0x10",
            "abc",
            "null",
            "\x00",
            "1\n",
            "\uff11",  # a fullwidth 1
            str(10**18),  # one past the largest
            str(2**63),  # past a bigint
            "9" * 300,
        ]
    ],
    _lift(str(10**18 - 1), 404),  # the largest: well formed, no such sanction
    _lift("1", 404, player_id="nobody"),
    _lift("1", 400, player_id="x" * 65),
    # Bodies that are not a sanction.
    *[
        _sanction(raw)
        for raw in [
            b"",
            b"{",
            b"[]",
            b"null",
            b'"hide"',
            b"\xff\xfe{}",
            b'{"action": "hide"',
            b'{"action": "hide", "action": 1}',
            b"[" * 100_000,
        ]
    ],
    _sanction(CHUNKED, 411, label="chunked"),
    _sanction(b" " * (2**20 + 1), 413, label="over 1 MiB"),
    *[
        _sanction(body)
        for body in [
            {},
            {"action": "kick"},
            {"action": "HIDE"},
            {"action": ["hide"]},
            {"action": {"hide": True}},
            {"action": None},
            {"action": "hide", "by": "me"},
            {"action": "hide", "reason": 5},
            {"action": "hide", "reason": None},
            {"action": "hide", "reason": "x" * 501},
        ]
    ],
    # Control characters and lone surrogates in a reason (JSON escapes them).
    *[_reason(reason) for reason in ["\x00", "\r", "a\x08b", "\x1b[2J", "\x1f"]],
    *[
        _sanction(raw, label=raw.decode())
        for raw in [
            b'{"action": "hide", "reason": "\\ud800"}',
            b'{"action": "hide", "reason": "\\udfff x"}',
        ]
    ],
    _reason("x" * 499 + "\t", 201),
    _reason("Line one.\nLine two.", 201),
    # Times in the past, without an offset, or with no UTC date.
    *[
        _until(until)
        for until in [
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "2000-01-01T00:00:00+00:00",
            "2999-01-01T00:00:00",
            "2999-01-01",
            "2999-02-30T00:00:00Z",
            "2999-01-01T24:00:01Z",
            "2999-01-01T00:00:00+24:00",
            "",
            "tomorrow",
            10**30,
            True,
            {},
        ]
    ],
    _until("9999-12-31T23:59:59.999999+00:00", 201),
    _until("9999-12-31T09:59:59+14:00", 201),
    # The list, with what the cases above made (times at the very end of year 9999 included).
    *[
        pytest.param("GET", SANCTIONS, {"player_id": p}, None, status, id=f"GET {p[:24]!r}")
        for p, status in [("m3", 200), ("m1", 200), ("nobody", 404), ("x" * 65, 400), ("\x00", 400)]
    ],
    # A sanction in force, as every reader and writer sees it.
    pytest.param(
        "POST",
        SCORES,
        {"slug": "global"},
        {"player_id": "banned-2", "score": 1},
        403,
        id="POST a banned player's score",
    ),
    pytest.param(
        "POST",
        BATCH,
        {},
        {
            "scores": [
                {"leaderboard": "global", "player_id": "newcomer", "score": 1, "name": "New"},
                {"leaderboard": "global", "player_id": "banned-2", "score": 1},
            ]
        },
        403,
        id="POST a batch with a banned player's score",
    ),
    pytest.param(
        "POST",
        SCORES,
        {"slug": "global"},
        {"player_id": "hidden-2", "score": 1},
        200,
        id="POST a hidden player's score",
    ),
    *[
        pytest.param("GET", path, {"slug": "global", "player_id": p}, None, 404, id=f"GET {p}")
        for path in (STANDING, HISTORY)
        for p in ("banned-2", "hidden-2")
    ],
]


@pytest.mark.parametrize(("method", "path", "parameters", "body", "status"), HOSTILE)
def test_hostile_requests_are_answered_as_documented(
    fuzzed_backend, method, path, parameters, body, status
):
    url = fuzzed_backend.site.url + path.format(
        **{name: quote(value, safe="") for name, value in parameters.items()}
    )
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    elif body is CHUNKED:
        body = iter([b'{"action": "hide"}'])  # requests sends an iterator in chunks
    answer = requests.request(
        method,
        url,
        data=body,
        headers={**fuzzed_backend.headers, "Content-Type": "application/json"},
        timeout=10,
    )

    assert answer.status_code == status, answer.text
    assert str(status) in DOCUMENT["paths"][path][method.lower()]["responses"]
    schema[path][method].validate_response(answer)  # the body and headers documented
    if status < 400:
        if path == SCORES:  # a hidden player's score: taken, ranked nowhere
            assert answer.json()["rank"] is None
        return
    assert answer.headers["Content-Type"] == "application/json"
    error = answer.json()["error"]
    assert error.keys() == {"code", "message"}
    assert error["code"] in _documented_codes(path, method, status)
    if status == 404 and path in (STANDING, HISTORY):
        assert error["code"] == "player_not_found"
    else:
        assert error["code"] == ERROR_CODES[status]
    if path == BATCH:
        assert error["message"].startswith("scores[1]:")


def _board_case(method, path, slug, body, status, code="", *, label=""):
    raw = json.dumps(body).encode() if isinstance(body, dict) else body
    shown = label or (raw[:50] if isinstance(raw, bytes) else "")
    return pytest.param(
        method,
        path,
        {"slug": slug} if slug is not None else {},
        raw,
        status,
        code,
        id=f"{method} {slug or ''} {shown!r}",
    )


def _new(body, status=400, code="invalid", *, label=""):
    return _board_case("POST", BOARDS_PATH, None, body, status, code, label=label)


def _change(slug, body, status=400, code="invalid", *, label=""):
    return _board_case("PATCH", BOARD, slug, body, status, code, label=label)


# Boards made, changed and deleted: (method, path, path parameters, body, status, error code).
# In order: the empty board is changed, then deleted, last.
BOARD_HOSTILE = [
    *[_new(raw) for raw in [b"", b"{", b"[]", b"null", b'"slug"', b"\xff{}", b"[" * 100_000]],
    _new(CHUNKED, 411, "length_required", label="chunked"),
    _new(b" " * (2**20 + 1), 413, "too_large", label="over 1 MiB"),
    *[
        _new(body)
        for body in [
            {},
            {"slug": None},
            {"slug": 5},
            {"slug": "has space"},
            {"slug": "x" * 51},
            {"slug": "\x00"},
            {"slug": "é"},
            {"slug": "cases-x", "colour": "red"},
            {"slug": "cases-x", "title": None},
            {"slug": "cases-x", "title": ""},
            {"slug": "cases-x", "title": "   "},
            {"slug": "cases-x", "title": "x" * 101},
            {"slug": "cases-x", "title": "tab\there"},
            {"slug": "cases-x", "title": "\x00"},
            {"slug": "cases-x", "order": "ASC"},
            {"slug": "cases-x", "operator": None},
            {"slug": "cases-x", "reset": "hourly"},
            {"slug": "cases-x", "timezone": ""},
            {"slug": "cases-x", "timezone": "\x00"},
            {"slug": "cases-x", "timezone": "Nowhere/City"},
            {"slug": "cases-x", "timezone": "x" * 65},
            {"slug": "cases-x", "timezone": ["UTC"]},
            {"slug": "cases-x", "source": "nowhere"},
            {"slug": "cases-x", "source": "cases-x"},  # itself, not made yet
            {"slug": "cases-x", "source": "global-daily"},  # has a source (global)
            {"slug": "cases-x", "source": 5},
            {"slug": "cases-x", "min_score": "1"},
            {"slug": "cases-x", "min_score": True},
            {"slug": "cases-x", "min_score": 0.5},
            {"slug": "cases-x", "min_score": 2**53},
            {"slug": "cases-x", "max_score": -(10**30)},
            {"slug": "cases-x", "min_score": 5, "max_score": 4},
            {"slug": "cases-x", "max_increment": 1},  # a best board
            {"slug": "cases-x", "operator": "increment", "max_increment": 0},
            {"slug": "cases-x", "max_submissions_per_minute": 0},
            {"slug": "cases-x", "max_submissions_per_minute": 10_001},
        ]
    ],
    *[
        _new(raw, label=raw.decode())
        for raw in [
            b'{"slug": "cases-x", "title": "\\ud800"}',
            b'{"slug": "cases-x", "min_score": 1e999}',
            b'{"slug": "cases-x", "max_score": 1' + b"0" * 5000 + b"}",
        ]
    ],
    _new({"slug": "global"}, 409, "board_exists"),
    _new({"slug": SCORED}, 409, "board_exists"),
    _new(
        {
            "slug": "cases-made",
            "title": "Made by the cases",
            "order": "asc",
            "operator": "increment",
            "reset": "weekly",
            "timezone": "Pacific/Chatham",
            "source": "global",
            "min_score": -(2**53 - 1),
            "max_score": 2**53 - 1,
            "max_increment": 2**53 - 1,
            "max_submissions_per_minute": 10_000,
        },
        201,
        "",
    ),
    _change(SCORED, {"reset": "daily"}, 409, "board_setting_fixed"),
    _change(SCORED, {"timezone": "Asia/Tokyo", "title": "Not changed"}, 409, "board_setting_fixed"),
    _change(SCORED, {"slug": "renamed"}),
    _change(SCORED, {"players": 3}),
    _change(SCORED, {"source": SCORED}),  # itself
    _change(SCORED, {"title": "\x1b[2J"}),
    _change(SCORED, {}, 200, ""),
    _change(SCORED, {"title": "Scored", "reset": "never", "timezone": "UTC"}, 200, ""),
    _change("nowhere", {}, 404, "not_found"),
    _change("x" * 51, {}, 404, "not_found"),
    _change(EMPTY, {"reset": "monthly", "timezone": "Australia/Lord_Howe"}, 200, ""),
    _change(EMPTY, {"operator": "increment", "max_increment": 5, "source": "global"}, 200, ""),
    _change(EMPTY, {"operator": "best"}),  # max_increment left on a board that no longer adds
    _board_case("GET", BOARD, "global", None, 200),
    _board_case("GET", BOARD, "nowhere", None, 404, "not_found"),
    _board_case("DELETE", BOARD, "global", None, 409, "board_protected"),
    _board_case("DELETE", BOARD, "nowhere", None, 404, "not_found"),
    _board_case("DELETE", BOARD, EMPTY, None, 204),
    _board_case("DELETE", BOARD, EMPTY, None, 404, "not_found"),
]


@pytest.mark.parametrize(("method", "path", "parameters", "body", "status", "code"), BOARD_HOSTILE)
def test_hostile_board_requests_are_answered_as_documented(
    fuzzed_backend, method, path, parameters, body, status, code
):
    url = fuzzed_backend.site.url + path.format(**parameters)
    if body is CHUNKED:
        body = iter([b'{"slug": "chunked"}'])  # requests sends an iterator in chunks
    answer = requests.request(
        method,
        url,
        data=body,
        headers={**fuzzed_backend.headers, "Content-Type": "application/json"},
        timeout=10,
    )

    assert answer.status_code == status, answer.text
    assert str(status) in openapi.document()["paths"][path][method.lower()]["responses"]
    schema[path][method].validate_response(answer)  # the body and headers documented
    if status >= 400:
        assert answer.json()["error"]["code"] == code
    if status == 400:  # the message names the field, or says what the body is not
        message = answer.json()["error"]["message"]
        named = message.split(":")[0] in ("slug", "colour", "players", *board_writes.SETTINGS)
        assert named or message.startswith("The body must be"), message


def test_and_the_fuzzed_backend_logged_no_traceback(fuzzed_backend):
    # After every case above (pytest keeps a module's order): not one 5xx is not enough, a
    # handled error must not have left a stack in the log either.
    log = fuzzed_backend.site.log()

    assert "Traceback" not in log, log[log.index("Traceback") - 500 :][:3000]
    assert " ERROR " not in log
