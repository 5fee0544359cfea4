"""Regenerate the example clients in examples/ from docs/openapi.json with the pinned
generators: ``make clients``, or ``python -m scripts.generate_clients``.

- Python: openapi-python-client (pinned in requirements-dev.txt) writes the package
  ``leaderboard_client`` and its pyproject into examples/python/leaderboard-client/, then runs
  ruff on it (its post-hooks: the ruff of this Python's environment, also pinned there);
- TypeScript: openapi-typescript (pinned in examples/typescript/package-lock.json, installed by
  ``npm ci``) writes the API's types to examples/typescript/src/schema.d.ts, which
  openapi-fetch calls through.

tests/examples/test_clients.py regenerates both elsewhere and compares them with these.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "docs" / "openapi.json"
PYTHON_CONFIG = ROOT / "examples" / "python" / "openapi-python-client.yaml"
PYTHON_CLIENT = ROOT / "examples" / "python" / "leaderboard-client"
TYPESCRIPT = ROOT / "examples" / "typescript"
TYPESCRIPT_TYPES = TYPESCRIPT / "src" / "schema.d.ts"
OPENAPI_TYPESCRIPT = TYPESCRIPT / "node_modules" / ".bin" / "openapi-typescript"
NPM_INSTALL = "npm ci --prefix examples/typescript"


def python_client_generate(output: Path = PYTHON_CLIENT) -> None:
    """Write the Python client's project to ``output``, replacing what is there."""
    tools = Path(sys.executable).parent  # openapi-python-client, and ruff for its post-hooks
    command = [
        tools / "openapi-python-client",
        "generate",
        "--path",
        DOCUMENT,
        "--meta",
        "uv",
        "--config",
        PYTHON_CONFIG,
        "--output-path",
        output,
        "--overwrite",
        # A post-hook that could not run (no ruff on PATH) fails the generation.
        "--fail-on-warning",
    ]
    env = {**os.environ, "PATH": os.pathsep.join([str(tools), os.environ.get("PATH", "")])}
    subprocess.run(command, check=True, env=env)


def typescript_types_generate(output: Path = TYPESCRIPT_TYPES) -> None:
    """Write the API's TypeScript types to ``output``."""
    if not OPENAPI_TYPESCRIPT.exists():
        raise FileNotFoundError(f"{OPENAPI_TYPESCRIPT} is missing: run `{NPM_INSTALL}`")
    # A request body's property with a default is optional to the caller (the lookup's
    # `period`); without the flag openapi-typescript would make it required.
    command = [OPENAPI_TYPESCRIPT, DOCUMENT, "--default-non-nullable=false", "--output", output]
    subprocess.run(command, check=True, cwd=TYPESCRIPT)


def main() -> None:
    python_client_generate()
    typescript_types_generate()
    print(f"wrote {PYTHON_CLIENT.relative_to(ROOT)}/ and {TYPESCRIPT_TYPES.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
