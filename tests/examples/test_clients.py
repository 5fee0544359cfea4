"""The example clients in examples/, generated from docs/openapi.json.

What they hold is what the pinned generators make of the committed document (``make
clients``); the TypeScript one type-checks under ``strict`` with no cast; and both game-server
scripts make their three calls against the real backend under gunicorn: a score submitted,
then retried with the same Idempotency-Key (answered again, ``Idempotent-Replayed: true``),
the board's top 10, and a players lookup; an error answer is read through the one Error
model. One backend serves both scripts, each on a board of its own seeded alike, so both
print the same lines.

node, npm and the npm packages come with ``make test`` (scripts/setup-system.sh, then ``npm
ci --prefix examples/typescript``): without them these tests fail, saying what to run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from common.local_servers import PYTHON, ROOT, GunicornSite
from scripts import generate_clients
from scripts.generate_clients import NPM_INSTALL, PYTHON_CLIENT, TYPESCRIPT, TYPESCRIPT_TYPES

# The clients test the API's contract, which is the same on either engine (the API's own
# tests run on both): once is enough, and keeps make test's PostgreSQL pass shorter.
pytestmark = pytest.mark.sqlite_only("the clients test the API's contract, not the engine")

REGENERATE = "run `make clients` (python -m scripts.generate_clients) and commit the result"
PYTHON_SCRIPT = ROOT / "examples" / "python" / "game_server.py"
TYPESCRIPT_SCRIPT = TYPESCRIPT / "src" / "game-server.ts"
TSC = TYPESCRIPT / "node_modules" / ".bin" / "tsc"

BOARDS = {"python": "clients-python", "typescript": "clients-typescript"}
# Each board's players before a script runs: s01 … s12, scoring 100 … 1200.
SEEDED = [(f"s{n:02}", f"Seed {n:02}", 100 * n) for n in range(1, 13)]
# What each script is asked to do: submit Me's 1150 (second of 13), then look up three ids.
ARGS = ["--player", "me", "--name", "Me", "--score", "1150", "--lookup", "me,s01,nobody"]


def expected_lines(board: str) -> list[str]:
    top = [("Seed 12", "s12", 1200), ("Me", "me", 1150)] + [
        (f"Seed {n:02}", f"s{n:02}", 100 * n) for n in range(11, 3, -1)
    ]
    return [
        f"submitted: me 1150 on {board}, rank 2, Idempotent-Replayed: false",
        f"retried: me 1150 on {board}, rank 2, Idempotent-Replayed: true",
        f"top 10 of {board} (13 players):",
        *(f"{rank:>4}  {name} ({pid})  {score}" for rank, (name, pid, score) in enumerate(top, 1)),
        f"lookup of 3 on {board}:",
        # "better than": the share of the board's players with a strictly worse score, 11 of 13.
        "   2  Me (me)  1150  better than 84.6%",
        "  13  Seed 01 (s01)  100  better than 0.0%",
        "missing: nobody",
    ]


def npm_packages_installed() -> None:
    """Fail, saying what to run, without node or the TypeScript example's npm packages."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("node and npm are needed: run `bash scripts/setup-system.sh test`")
    if not TSC.exists() or not generate_clients.OPENAPI_TYPESCRIPT.exists():
        pytest.fail(f"the TypeScript example's packages are missing: run `{NPM_INSTALL}`")


def files(folder: Path) -> dict[str, str]:
    """relative path -> text of every file under ``folder`` but ruff's and Python's caches."""
    return {
        path.relative_to(folder).as_posix(): path.read_text()
        for path in folder.rglob("*")
        if path.is_file()
        and not {".ruff_cache", "__pycache__"} & set(path.relative_to(folder).parts)
    }


@pytest.fixture(scope="module")
def typescript_build() -> Iterator[Path]:
    """src/ compiled by the pinned tsc, which type-checks it first as `tsc --noEmit` would
    (tsconfig.json), into a folder of its own under the example, from where node finds
    openapi-fetch in its node_modules: the compiled game-server.js."""
    npm_packages_installed()
    (TYPESCRIPT / "build").mkdir(exist_ok=True)
    out = Path(tempfile.mkdtemp(prefix="test-", dir=TYPESCRIPT / "build"))
    built = subprocess.run(
        [TSC, "-p", TYPESCRIPT, "--outDir", out], capture_output=True, text=True, timeout=120
    )
    assert built.returncode == 0, f"tsc: {built.stdout}{built.stderr}"
    yield out / "game-server.js"
    shutil.rmtree(out)


# --- the generated code is the generators' ---------------------------------------------------


def test_the_typescript_types_are_what_openapi_typescript_makes_of_the_document(tmp_path):
    npm_packages_installed()
    made = tmp_path / "schema.d.ts"

    generate_clients.typescript_types_generate(made)

    assert made.read_text() == TYPESCRIPT_TYPES.read_text(), REGENERATE


def test_the_python_client_is_what_openapi_python_client_makes_of_the_document(tmp_path):
    made = tmp_path / "leaderboard-client"

    generate_clients.python_client_generate(made)

    committed, generated = files(PYTHON_CLIENT), files(made)
    assert "leaderboard_client/models/error.py" in generated
    differing = sorted(
        name
        for name in committed.keys() | generated.keys()
        if committed.get(name) != generated.get(name)
    )
    assert not differing, f"{REGENERATE}; these differ: {differing}"


def test_the_typescript_example_compiles_strictly_without_a_cast_or_any(typescript_build):
    options = json.loads((TYPESCRIPT / "tsconfig.json").read_text())["compilerOptions"]
    code = re.sub(r"//.*", "", TYPESCRIPT_SCRIPT.read_text())  # the code, not its comments

    assert options["strict"] is True
    assert typescript_build.exists()
    assert not re.findall(r"\bany\b|\bas\s+\w|<\w+>\s*\w", code)


# --- the scripts against a served backend ----------------------------------------------------


@pytest.fixture(scope="module")
def game_backend(make_backend) -> tuple[GunicornSite, str]:
    """A backend of the module's own with a board per script, seeded alike, and a game
    server's key (`read` and `write`, as the README tells a game team to make)."""
    site = make_backend()
    code = "from backend_site.rankings.models import Leaderboard\n" + "".join(
        f"Leaderboard.objects.create(slug={slug!r}, title={slug!r})\n" for slug in BOARDS.values()
    )
    made = site.manage("shell", "-c", code)
    assert made.returncode == 0, made.stderr
    made = site.manage("api_keys", "create", "game-server", "--scopes", "read,write")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    items = [
        {"leaderboard": slug, "player_id": pid, "score": score, "name": name}
        for slug in BOARDS.values()
        for pid, name, score in SEEDED
    ]
    seeded = requests.post(
        f"{site.url}/api/v1/scores/batch",
        json={"scores": items},
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert seeded.status_code == 200, seeded.text
    return site, key


@pytest.fixture(params=["python", "typescript"])
def game_server(request, game_backend):
    """(run, board): ``run(*args, key=)`` runs one script against the backend on its board."""
    site, secret = game_backend
    board = BOARDS[request.param]
    if request.param == "python":
        # As `pip install ./examples/python/leaderboard-client` would: its httpx and attrs
        # are in the development lock, as openapi-python-client's own.
        command = [PYTHON, PYTHON_SCRIPT]
        env = {**os.environ, "PYTHONPATH": str(PYTHON_CLIENT)}
    else:
        command = ["node", request.getfixturevalue("typescript_build")]
        env = dict(os.environ)

    def run(*args: str, key: str = secret) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*command, "--url", site.url, "--key", key, "--board", board, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    return run, board


@pytest.mark.served
def test_a_game_server_submits_and_retries_reads_the_top_10_and_looks_up_players(game_server):
    run, board = game_server

    done = run(*ARGS)

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == expected_lines(board)


@pytest.mark.served
def test_a_game_server_shows_an_error_answer_through_the_error_model(game_server):
    run, _ = game_server

    done = run(*ARGS, key="lbk_not-a-key")

    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines()[-1].startswith("submitScore: 401 unauthorized: ")
