"""Read the deployment definitions (App Runner's under deploy/, the Dockerfile, compose.yaml)
and what each site reads from its environment, for the tests under tests/deploy/."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from common.local_servers import ROOT

DEPLOY = ROOT / "deploy"
GUIDE = ROOT / "docs" / "deploy-app-runner.md"
SITES = {"backend": "backend_site", "frontend": "frontend_site"}
PLACEHOLDER = re.compile(r"\$\{([A-Z0-9_]+)\}")

# What a user fills in (see docs/deploy-app-runner.md); test values that point nowhere.
TEST_VALUES = {
    "ACCOUNT_ID": "123456789012",
    "AWS_REGION": "us-east-1",
    "REPOSITORY_URL": "https://github.com/example/gaming-leaderboard",
    "BRANCH": "main",
    "CONNECTION_ARN": "arn:aws:apprunner:us-east-1:123456789012:connection/github/0",
    "INSTANCE_ROLE_ARN": "arn:aws:iam::123456789012:role/leaderboard-apprunner-instance",
    "VPC_CONNECTOR_ARN": "arn:aws:apprunner:us-east-1:123456789012:vpcconnector/x/1/0",
    "VPC_ID": "vpc-0123456789abcdef0",
    "VPC_ENDPOINT_ID": "vpce-0123456789abcdef0",
    "SUBNET_ID_A": "subnet-0123456789abcdef0",
    "SUBNET_ID_B": "subnet-0123456789abcdef1",
    "CONNECTOR_SECURITY_GROUP_ID": "sg-0123456789abcdef0",
    "ENDPOINT_SECURITY_GROUP_ID": "sg-0123456789abcdef1",
    "BACKEND_SERVICE_ARN": "arn:aws:apprunner:us-east-1:123456789012:service/leaderboard-backend/0",
    "BACKEND_SERVICE_DOMAIN": "abcdefghij.us-east-1.awsapprunner.com",
    "REDIS_PRIMARY_ENDPOINT": "master.leaderboard.abc123.use1.cache.amazonaws.com",
    "BACKEND_SECRET_KEY_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:leaderboard/a",
    "FRONTEND_SECRET_KEY_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:leaderboard/b",
    "SERVICE_TOKEN_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:leaderboard/c",
    "READ_TOKEN_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:leaderboard/e",
    "DATABASE_URL_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:leaderboard/d",
}

# What App Runner would read from Secrets Manager, by variable name. The frontend's key and
# the backend's read token come from one secret (READ_TOKEN_ARN).
TEST_SECRETS = {
    "DJANGO_SECRET_KEY": "t3st-only-" + "k" * 24 + "-Zq8#Lm2$Vx7&Rp4!Hs9Wc5^Nb1*Jd6",
    "BACKEND_SERVICE_TOKEN": "test-token-from-the-secret-store",
    "BACKEND_READ_TOKEN": "test-read-token-from-the-secret-store",
    "BACKEND_API_KEY": "test-read-token-from-the-secret-store",
    "DATABASE_URL": "postgres://leaderboard:secret@db.test.invalid:5432/leaderboard",
}


def raw_text(name: str) -> str:
    return (DEPLOY / name).read_text()


def placeholders(name: str) -> set[str]:
    return set(PLACEHOLDER.findall(raw_text(name)))


def filled(name: str) -> dict:
    """The definition as a user applies it: placeholders replaced (as envsubst does)."""
    text = PLACEHOLDER.sub(lambda match: TEST_VALUES[match.group(1)], raw_text(name))
    return json.loads(text)


def code_values(site: str) -> dict:
    source = filled(f"{site}.service.json")["SourceConfiguration"]
    return source["CodeRepository"]["CodeConfiguration"]["CodeConfigurationValues"]


def runtime_env(site: str, **overrides: str) -> dict[str, str]:
    """The environment App Runner gives the running site, secrets resolved to test values."""
    values = code_values(site)
    env = clean_env()
    env.update(values.get("RuntimeEnvironmentVariables", {}))
    env.update({name: TEST_SECRETS[name] for name in values.get("RuntimeEnvironmentSecrets", {})})
    env.update(overrides)
    return env


def clean_env(path: str | None = None) -> dict[str, str]:
    """A process environment with nothing of ours in it (no DJANGO_*, no GUNICORN_BIND)."""
    keep = {"HOME", "LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE"}
    env = {k: v for k, v in os.environ.items() if k in keep or k.startswith("PIP_")}
    env["PATH"] = path or os.environ.get("PATH", "/usr/bin:/bin")
    return env


def definition_files() -> list[Path]:
    return sorted(DEPLOY.glob("*.json"))


# --- what each site reads from its environment ----------------------------------------------

# Code both sites run: their settings base, env parsing, logging, middleware, and gunicorn's
# config; deploy/start.sh reads SITE and PORT. The glob does not enter common/local_servers/,
# which only the tests, the bench and `make run` use.
SHARED_CODE = [
    *sorted((ROOT / "common").glob("*.py")),
    ROOT / "gunicorn.conf.py",
    ROOT / "deploy" / "start.sh",
]
_READ = re.compile(
    r"""(?:env_[a-z]+\(|os\.environ\.get\(|os\.getenv\(|os\.environ\[)\s*["']([A-Z0-9_]+)"""
    r"""|\$\{?([A-Z][A-Z0-9_]*)"""
)
_REQUIRED = re.compile(r"require_in_production\(\s*settings,\s*\{([^}]*)\}", re.S)


def _site_code(site: str) -> list[Path]:
    own = sorted((ROOT / SITES[site]).rglob("*.py"))
    return [*own, *SHARED_CODE]


def variables_read(site: str) -> set[str]:
    """Every environment variable the site's code (or its start script) reads by name."""
    names = {"DJANGO_SETTINGS_MODULE"}  # read by Django itself
    for path in _site_code(site):
        for match in _READ.finditer(path.read_text()):
            names.add(match.group(1) or match.group(2))
    return names - {"PYTHONPATH", "PWD"}  # set by start.sh, not read as settings


def variables_required_in_production(site: str) -> set[str]:
    """The variables the site refuses to serve without when DJANGO_DEBUG is off."""
    names: set[str] = set()
    for path in _site_code(site):
        for block in _REQUIRED.findall(path.read_text()):
            names.update(re.findall(r""":\s*["']([A-Z0-9_]+)["']""", block))
    return names


# --- a copy of the repository, as a clone (or Docker's build context) would have it ---------


def repository_files() -> list[str]:
    """Tracked files, and new ones not ignored: what a clone of this branch would hold."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def dockerignored(name: str, patterns: list[str]) -> bool:
    """Whether .dockerignore's ``patterns`` leave ``name`` out (the last matching line wins)."""
    ignored = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        pattern = pattern.removeprefix("!").rstrip("/").removeprefix("**/")
        parts = name.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatch(p, pattern) for p in [*prefixes, *parts]):
            ignored = not negated
    return ignored


def dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def copy_of_the_repository(target: Path, *, dockerignore: bool = False) -> Path:
    """Copy what a clone would have (no .venv, no var/) into ``target``; with
    ``dockerignore``, only what Docker would send as the build context."""
    patterns = dockerignore_patterns() if dockerignore else []
    for name in repository_files():
        if dockerignore and dockerignored(name, patterns):
            continue
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)
    return target
