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
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from backend_site.api_keys.models import SCOPES
from backend_site.rankings import openapi
from common.local_servers import GunicornSite
from tests.conftest import SERVICE_TOKEN, backend_env

AUTH = {"Authorization": f"Bearer {SERVICE_TOKEN}"}  # seeds the players, as a game server
# (slug, order, operator): one board of each kind besides the migrations' global (desc, best).
BOARDS = [("speedrun", "asc", "best"), ("clicks", "desc", "increment"), ("now", "asc", "latest")]
SLUGS = ["global"] + [slug for slug, _, _ in BOARDS]
PLAYERS = [f"p{number}" for number in range(1, 9)]
# Generated cases per operation, besides the coverage phase's boundary cases (each bound,
# each undocumented method, each missing part): the whole run takes about 20 seconds.
EXAMPLES = 150


def _boards_create(site: GunicornSite) -> None:
    """Boards exist in the database only until first use, as after an admin creates them."""
    code = "from backend_site.rankings.models import Leaderboard\n" + "".join(
        f"Leaderboard.objects.create(slug={slug!r}, title={slug!r}, order={order!r}, "
        f"operator={operator!r})\n"
        for slug, order, operator in BOARDS
    )
    done = site.manage("shell", "-c", code)
    assert done.returncode == 0, done.stderr


def _players_seed(site: GunicornSite) -> None:
    """Every known player on every board, through the API, so their standings exist."""
    items = [
        {"leaderboard": slug, "player_id": pid, "score": 10 * n, "name": f"Player {pid}"}
        for slug in SLUGS
        for n, pid in enumerate(PLAYERS)
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
    yield FuzzedBackend(site, headers)
    site.stop()
    redis_databases.give_back(number)


# The document as the module builds it; test_openapi.py checks the backend serves exactly it.
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
    if "slug" in path:
        path["slug"] = _known(rnd, path["slug"], SLUGS)
    if "player_id" in path:
        path["player_id"] = _known(rnd, path["player_id"], PLAYERS)
    body = case.body if isinstance(case.body, dict) else {}
    for item in [body, *body.get("scores", [])]:
        if "player_id" in item:
            item["player_id"] = _known(rnd, item["player_id"], PLAYERS)
        if "leaderboard" in item:
            item["leaderboard"] = _known(rnd, item["leaderboard"], SLUGS)
    return case


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
    case.call_and_validate(
        base_url=fuzzed_backend.site.url,
        headers=fuzzed_backend.headers,
        timeout=10,
        # A valid submission may still be refused with a 400 for what no schema can say:
        # a new player without a name, a batch item on a board that does not exist, an
        # increment past the score range.
        excluded_checks=[positive_data_acceptance] if case.method == "POST" else [],
    )


def test_and_the_fuzzed_backend_logged_no_traceback(fuzzed_backend):
    # After every case above (pytest keeps a module's order): not one 5xx is not enough, a
    # handled error must not have left a stack in the log either.
    log = fuzzed_backend.site.log()

    assert "Traceback" not in log, log[log.index("Traceback") - 500 :][:3000]
    assert " ERROR " not in log
