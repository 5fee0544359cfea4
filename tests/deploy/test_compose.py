"""compose.yaml agrees with the sites' settings and keeps the backend private."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from common.local_servers import ROOT
from tests.deploy.definitions import variables_read, variables_required_in_production
from tests.deploy.dockerfile import stages

COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
INTERPOLATED = re.compile(r"\$\{([A-Z0-9_]+)(?::?[?-][^}]*)?\}")
SECRETS = {
    "DJANGO_SECRET_KEY",
    "BACKEND_SERVICE_TOKEN",
    "BACKEND_READ_TOKEN",
    "BACKEND_API_KEY",
    "POSTGRES_PASSWORD",
}


def site_of(name: str) -> str:
    """Which site a service built from our image runs: SITE, or the migrate command."""
    service = SERVICES[name]
    if service.get("command", [None, None, None])[2:3] in (["migrate"], ["webhooks"]):
        return "backend"
    return service["environment"]["SITE"]


OUR_IMAGE = sorted(name for name, service in SERVICES.items() if "build" in service)


def test_every_service_built_here_is_the_one_image_running_one_site():
    assert OUR_IMAGE == ["backend", "frontend", "migrate", "webhooks"]
    assert {site_of(name) for name in OUR_IMAGE} == {"backend", "frontend"}
    assert len({SERVICES[name]["image"] for name in OUR_IMAGE}) == 1


@pytest.mark.parametrize("name", OUR_IMAGE)
def test_every_variable_compose_sets_is_one_the_site_reads(name):
    unread = set(SERVICES[name]["environment"]) - variables_read(site_of(name))

    assert not unread, f"{name}: no code of the {site_of(name)} reads {sorted(unread)}"


@pytest.mark.parametrize("name", OUR_IMAGE)
def test_every_site_runs_in_production_mode_with_what_production_requires(name):
    environment = SERVICES[name]["environment"]
    required = variables_required_in_production(site_of(name))
    if site_of(name) == "backend":
        required |= {"DATABASE_URL", "REDIS_URL"}  # the default SQLite would live in the container

    assert environment["DJANGO_DEBUG"] == "false"
    assert required <= set(environment), f"{name}: set {sorted(required - set(environment))}"


def test_secrets_come_from_the_env_file_never_from_compose_yaml():
    for name, service in SERVICES.items():
        for variable, value in (service.get("environment") or {}).items():
            if variable in SECRETS:
                assert INTERPOLATED.fullmatch(value), f"{name}.{variable} must be ${{...}}"
    assert "leaderboard:${POSTGRES_PASSWORD" in SERVICES["backend"]["environment"]["DATABASE_URL"]


def env_file_variable(value: str) -> str:
    """The .env variable a ``${NAME:?...}`` value takes."""
    return INTERPOLATED.fullmatch(value).group(1)


def test_the_frontend_holds_only_the_read_token_the_backend_takes_as_read_only():
    frontend = SERVICES["frontend"]["environment"]

    assert "BACKEND_SERVICE_TOKEN" not in frontend
    assert env_file_variable(frontend["BACKEND_API_KEY"]) == "FRONTEND_READ_TOKEN"
    assert ":?" in frontend["BACKEND_API_KEY"], "compose must refuse to start without it"
    for name in ("backend", "migrate", "webhooks"):
        backend = SERVICES[name]["environment"]
        assert env_file_variable(backend["BACKEND_READ_TOKEN"]) == "FRONTEND_READ_TOKEN", name
        assert env_file_variable(backend["BACKEND_SERVICE_TOKEN"]) == "BACKEND_SERVICE_TOKEN"


def test_every_value_compose_takes_from_the_env_file_is_explained_in_env_example():
    documented = (ROOT / ".env.example").read_text()
    used = set(INTERPOLATED.findall((ROOT / "compose.yaml").read_text()))

    assert used, "compose.yaml should take its secrets from .env"
    assert not [name for name in used if f"{name}=" not in documented]


def test_the_env_file_is_never_committed():
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT)

    assert ignored.returncode == 0, ".env must be in .gitignore"


def test_only_the_frontend_publishes_a_port_and_it_is_8000():
    published = {name: service["ports"] for name, service in SERVICES.items() if "ports" in service}
    assert published == {"frontend": ["8000:8000"]}
    assert stages()[-1].env({})["PORT"] == "8000"


def test_the_backend_and_the_databases_sit_only_on_the_internal_network():
    networks = COMPOSE["networks"]
    internal = {name for name, network in networks.items() if (network or {}).get("internal")}

    assert len(internal) == 1
    for name in ("backend", "migrate", "postgres", "redis"):
        assert set(SERVICES[name]["networks"]) == internal, name
    frontend = set(SERVICES["frontend"]["networks"])
    assert internal < frontend, "the frontend must reach the backend and the outside"
    assert SERVICES["frontend"]["environment"]["BACKEND_URL"] == "http://backend:8000"


def test_services_start_in_order_once_what_they_need_is_healthy_or_done():
    def conditions(name):
        return {dep: rule["condition"] for dep, rule in SERVICES[name]["depends_on"].items()}

    assert conditions("migrate") == {"postgres": "service_healthy", "redis": "service_healthy"}
    assert conditions("backend")["migrate"] == "service_completed_successfully"
    assert conditions("frontend") == {"backend": "service_healthy"}
    assert conditions("webhooks") == {
        "migrate": "service_completed_successfully",
        "postgres": "service_healthy",
    }
    for name in ("postgres", "redis"):
        assert SERVICES[name]["healthcheck"]["test"], name
    # The sites' health comes from the image's HEALTHCHECK.
    assert stages()[-1].all("HEALTHCHECK")


def test_only_the_one_shot_job_migrates_and_the_servers_use_the_image_command():
    assert SERVICES["migrate"]["command"][:3] == ["sh", "deploy/start.sh", "migrate"]
    assert SERVICES["migrate"]["restart"] == "no"
    assert "command" not in SERVICES["backend"]
    assert "command" not in SERVICES["frontend"]


def test_the_databases_use_official_images():
    assert SERVICES["postgres"]["image"].startswith("postgres:")
    assert SERVICES["redis"]["image"].split(":")[0] in ("redis", "valkey/valkey")


def test_the_webhook_deliverer_runs_beside_the_backend_with_a_way_out_and_no_port():
    webhooks = SERVICES["webhooks"]
    assert webhooks["command"] == ["sh", "deploy/start.sh", "webhooks"]
    assert webhooks["environment"] == SERVICES["migrate"]["environment"]  # the backend's
    # The database on the private network; the endpoints are outside.
    assert set(webhooks["networks"]) == {"private", "public"}
    assert "ports" not in webhooks and webhooks["healthcheck"] == {"disable": True}
    assert webhooks["restart"] == "unless-stopped" and webhooks["stop_signal"] == "SIGTERM"
    start = (ROOT / "deploy" / "start.sh").read_text()
    assert "exec python3 manage.py deliver_webhooks" in start
