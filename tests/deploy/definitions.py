"""Read the App Runner definitions under deploy/ and fill their placeholders for tests."""

from __future__ import annotations

import json
import os
import re
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
    "DATABASE_URL_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:leaderboard/d",
}

# What App Runner would read from Secrets Manager, by variable name.
TEST_SECRETS = {
    "DJANGO_SECRET_KEY": "t3st-only-" + "k" * 24 + "-Zq8#Lm2$Vx7&Rp4!Hs9Wc5^Nb1*Jd6",
    "BACKEND_SERVICE_TOKEN": "test-token-from-the-secret-store",
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
