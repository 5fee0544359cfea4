"""Read the Dockerfile's stages and instructions, so tests can check them and run its steps
outside a container (there is no container runtime on the machines that run the tests)."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from common.local_servers import ROOT

DOCKERFILE = ROOT / "Dockerfile"


@dataclass
class Stage:
    """One FROM … stage: its base image, name and instructions in order."""

    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [arguments for word, arguments in self.instructions if word == keyword]

    def env(self, environ: dict[str, str]) -> dict[str, str]:
        """The stage's ENV values, each expanded against ``environ`` and the ones before."""
        values: dict[str, str] = {}
        for arguments in self.all("ENV"):
            for pair in shlex.split(arguments):
                name, value = pair.split("=", 1)
                values[name] = _expand(value, {**environ, **values})
        return values

    @property
    def user(self) -> str | None:
        users = self.all("USER")
        return users[-1] if users else None

    @property
    def cmd(self) -> list[str]:
        return json.loads(self.all("CMD")[-1])

    @property
    def healthcheck(self) -> tuple[list[str], list[str]]:
        """The HEALTHCHECK's options (--interval=…) and its CMD, as a list."""
        options, command = self.all("HEALTHCHECK")[-1].split("CMD", 1)
        return options.split(), json.loads(command)


def _expand(value: str, known: dict[str, str]) -> str:
    """$NAME and ${NAME} replaced as Docker does (unknown names become empty)."""
    return re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: known.get(m[1], ""), value)


def instructions(path: Path = DOCKERFILE) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) pairs, comments dropped and continued lines joined."""
    joined, pending = [], ""
    for line in path.read_text().splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    pairs = []
    for line in joined:
        keyword, _, arguments = line.strip().partition(" ")
        pairs.append((keyword.upper(), " ".join(arguments.split())))
    return pairs


def stages(path: Path = DOCKERFILE) -> list[Stage]:
    """The Dockerfile's stages in order; the last one is the image that runs."""
    found: list[Stage] = []
    for keyword, arguments in instructions(path):
        if keyword == "FROM":
            words = arguments.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            found.append(Stage(base=words[0], name=name))
        else:
            found[-1].instructions.append((keyword, arguments))
    return found
