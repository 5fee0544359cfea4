"""The App Runner definitions under deploy/ work as written, so they cannot rot.

Each site's BuildCommand runs exactly as written in a fresh copy of the repository with a
fresh Python (a new virtualenv: nothing installed but pip, like App Runner's runtime); the
backend's database is migrated once with the guide's command (App Runner's start command no
longer migrates); then the StartCommand runs exactly as written with PORT set and the
definition's environment, and the site must answer its health check on that port.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import subprocess
import sys

import pytest
import requests

from common.local_servers import ROOT, free_port, stop_process_group, wait_until
from tests.deploy.definitions import (
    GUIDE,
    SITES,
    TEST_SECRETS,
    TEST_VALUES,
    clean_env,
    code_values,
    copy_of_the_repository,
    definition_files,
    filled,
    placeholders,
    runtime_env,
)

APP_RUNNER_HOST = "abcdefghij.us-east-1.awsapprunner.com"
# A page each site serves without a token (the backend's API would answer 401 first).
PAGE = {"backend": "/admin/login/", "frontend": "/"}


# --- the definitions themselves -----------------------------------------------------------


@pytest.mark.parametrize("path", definition_files(), ids=lambda path: path.name)
def test_every_definition_is_json_once_its_placeholders_are_filled(path):
    assert isinstance(filled(path.name), dict)


def test_every_placeholder_has_a_test_value_and_is_explained_in_the_guide():
    guide = GUIDE.read_text()
    used = set().union(*(placeholders(path.name) for path in definition_files()))

    assert used <= set(TEST_VALUES), f"give these a test value: {used - set(TEST_VALUES)}"
    unexplained = {name for name in used if f"${{{name}}}" not in guide and name not in guide}
    assert not unexplained, f"explain these in {GUIDE.name}: {sorted(unexplained)}"


@pytest.mark.parametrize("site", list(SITES))
def test_each_site_builds_from_source_on_python_311_and_is_checked_on_healthz(site):
    definition = filled(f"{site}.service.json")
    values = code_values(site)

    assert values["Runtime"] == "PYTHON_311"
    assert "pip3 install" in values["BuildCommand"]
    assert "--require-hashes --no-deps -r requirements.lock" in values["BuildCommand"]
    assert "collectstatic --no-input" in values["BuildCommand"]
    assert values["Port"] == "8000"
    assert definition["HealthCheckConfiguration"]["Path"] == "/healthz"
    assert definition["HealthCheckConfiguration"]["Protocol"] == "HTTP"
    assert values["RuntimeEnvironmentVariables"]["DJANGO_DEBUG"] == "false"
    assert values["RuntimeEnvironmentVariables"]["DJANGO_ALLOWED_HOSTS"] == ".awsapprunner.com"
    assert "DJANGO_SECRET_KEY" in values["RuntimeEnvironmentSecrets"]


def test_the_frontend_holds_only_the_read_token_the_backend_takes_as_read_only():
    backend = code_values("backend")["RuntimeEnvironmentSecrets"]
    frontend = code_values("frontend")["RuntimeEnvironmentSecrets"]

    assert set(frontend) == {"DJANGO_SECRET_KEY", "BACKEND_API_KEY"}  # never the shared token
    assert frontend["BACKEND_API_KEY"] == backend["BACKEND_READ_TOKEN"]
    assert backend["BACKEND_READ_TOKEN"] != backend["BACKEND_SERVICE_TOKEN"]


def test_the_instance_role_may_read_every_secret_the_guide_creates():
    (statement,) = filled("instance-role.policy.json")["Statement"]
    readable = statement["Resource"].split(":secret:", 1)[1]
    created = re.findall(r"create-secret --name (\S+)", GUIDE.read_text())

    assert "leaderboard/read-token" in created
    assert [name for name in created if not fnmatch.fnmatch(name, readable)] == []


def test_the_backend_is_private_and_reaches_its_vpc_through_a_connector():
    network = filled("backend.service.json")["NetworkConfiguration"]

    assert network["IngressConfiguration"]["IsPubliclyAccessible"] is False
    assert network["EgressConfiguration"]["EgressType"] == "VPC"
    assert filled("apprunner-requests-endpoint.json")["ServiceName"] == (
        "com.amazonaws.us-east-1.apprunner.requests"
    )
    ingress = filled("backend.ingress-connection.json")
    assert ingress["IngressVpcConfiguration"]["VpcEndpointId"] == TEST_VALUES["VPC_ENDPOINT_ID"]


def test_the_frontend_is_public_and_reaches_the_backend_through_a_connector():
    network = filled("frontend.service.json")["NetworkConfiguration"]
    backend_url = code_values("frontend")["RuntimeEnvironmentVariables"]["BACKEND_URL"]

    assert network["IngressConfiguration"]["IsPubliclyAccessible"] is True
    assert network["EgressConfiguration"]["EgressType"] == "VPC"
    assert backend_url == f"https://{TEST_VALUES['BACKEND_SERVICE_DOMAIN']}"


def test_the_backend_keeps_its_data_in_a_database_outside_the_instance():
    # App Runner's disk is ephemeral: the SQLite default would lose every score.
    secrets = code_values("backend")["RuntimeEnvironmentSecrets"]
    assert "DATABASE_URL" in secrets


def test_the_backend_talks_to_redis_over_tls_on_the_samples_port():
    redis_url = code_values("backend")["RuntimeEnvironmentVariables"]["REDIS_URL"]
    assert redis_url == f"rediss://{TEST_VALUES['REDIS_PRIMARY_ENDPOINT']}:9000/0"


@pytest.mark.parametrize("site", list(SITES))
def test_every_variable_the_definitions_set_is_listed_in_env_example(site):
    documented = (ROOT / ".env.example").read_text()
    values = code_values(site)
    names = [*values["RuntimeEnvironmentVariables"], *values["RuntimeEnvironmentSecrets"]]

    missing = [name for name in names if f"{name}=" not in documented]
    missing = [name for name in missing if name != "DJANGO_SETTINGS_MODULE"]

    assert not missing, f"{site}: add {missing} to .env.example"


# --- building and starting, exactly as written ---------------------------------------------


@pytest.fixture(scope="module")
def fresh_python(tmp_path_factory):
    """A new virtualenv with nothing but pip: what App Runner's runtime starts from."""
    venv = tmp_path_factory.mktemp("runtime") / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(venv)], check=True, timeout=120)
    return venv / "bin"


class Deployment:
    """A site built and started from its definition, in its own copy of the repository."""

    def __init__(self, site: str, workdir, fresh_python, redis_url: str, database_url: str):
        self.site = site
        self.source = copy_of_the_repository(workdir / "app")
        self.path = f"{fresh_python}{os.pathsep}/usr/local/bin:/usr/bin:/bin"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.logfile = workdir / f"{site}.log"
        self.env = runtime_env(
            site,
            PORT=str(self.port),
            PATH=self.path,
            # The test's stand-ins for ElastiCache and RDS (the definition names the real ones).
            REDIS_URL=redis_url,
            DATABASE_URL=database_url,
        )
        self.process: subprocess.Popen | None = None

    def build(self) -> subprocess.CompletedProcess:
        """Run the BuildCommand as App Runner does: a shell, the source folder, no app env."""
        return subprocess.run(
            ["sh", "-c", code_values(self.site)["BuildCommand"]],
            cwd=self.source,
            env=clean_env(path=self.path),
            capture_output=True,
            text=True,
            timeout=600,
        )

    def migrate(self) -> subprocess.CompletedProcess:
        """The guide's once-per-deploy step, from "a machine in the VPC" with the same env."""
        return subprocess.run(
            ["sh", "deploy/start.sh", "migrate"],
            cwd=self.source,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def start(self) -> None:
        """Run the StartCommand exactly as written and wait for /healthz on PORT."""
        self.process = subprocess.Popen(
            shlex.split(code_values(self.site)["StartCommand"]),
            cwd=self.source,
            env=self.env,
            stdout=self.logfile.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        def healthy() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.site} exited:\n{self.logfile.read_text()}")
            return requests.get(f"{self.url}/healthz", timeout=1).status_code == 200

        try:
            wait_until(healthy, timeout=90, what=self.url)
        except TimeoutError:
            raise AssertionError(f"no answer on /healthz:\n{self.logfile.read_text()}") from None

    def stop(self) -> None:
        if self.process:
            stop_process_group(self.process)


@pytest.fixture(scope="module")
def deployed(fresh_python, redis_databases, make_database_url, tmp_path_factory):
    """Build and start each site once per module; stop everything at the end."""
    deployments: dict[str, Deployment] = {}

    def deploy(site: str) -> Deployment:
        if site not in deployments:
            workdir = tmp_path_factory.mktemp(f"deploy-{site}")
            redis_url = redis_databases.take_url()
            database_url = make_database_url(workdir)
            deployment = Deployment(site, workdir, fresh_python, redis_url, database_url)
            deployments[site] = deployment
            built = deployment.build()
            assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
            if site == "backend":
                migrated = deployment.migrate()
                assert migrated.returncode == 0, migrated.stdout + migrated.stderr
            deployment.start()
        return deployments[site]

    yield deploy
    for deployment in deployments.values():
        deployment.stop()


@pytest.mark.parametrize("site", list(SITES))
def test_the_build_command_installs_inside_the_source_folder_and_collects_static_files(
    site, deployed
):
    deployment = deployed(site)

    # App Runner's Python 3.11 build keeps only the source folder for the running image.
    assert (deployment.source / ".python_packages" / "django").is_dir()
    manifest = deployment.source / "staticfiles" / site / "staticfiles.json"
    assert json.loads(manifest.read_text())["paths"], "collectstatic wrote no files"


@pytest.mark.parametrize("site", list(SITES))
def test_the_start_command_answers_the_health_check_on_the_port_app_runner_gives(site, deployed):
    deployment = deployed(site)

    health = requests.get(f"{deployment.url}/healthz", headers={"Host": "10.0.0.9"}, timeout=5)

    assert health.status_code == 200
    assert health.json() == {"status": "ok"}


@pytest.mark.parametrize("site", list(SITES))
def test_the_started_site_runs_with_production_settings(site, deployed):
    deployment = deployed(site)

    # Plain HTTP on App Runner's domain is sent to HTTPS; an unknown Host is refused.
    page = f"{deployment.url}{PAGE[site]}"
    plain = requests.get(page, headers={"Host": APP_RUNNER_HOST}, allow_redirects=False, timeout=5)
    stranger = requests.get(
        page,
        headers={"Host": "evil.example", "X-Forwarded-Proto": "https"},
        allow_redirects=False,
        timeout=5,
    )

    assert plain.status_code == 301
    assert plain.headers["Location"] == f"https://{APP_RUNNER_HOST}{PAGE[site]}"
    assert stranger.status_code == 400


def test_the_started_backend_serves_its_api_to_token_holders_only(deployed):
    deployment = deployed("backend")
    # As App Runner forwards a request that arrived over HTTPS at the private endpoint.
    headers = {"Host": APP_RUNNER_HOST, "X-Forwarded-Proto": "https"}
    token = {"Authorization": f"Bearer {TEST_SECRETS['BACKEND_SERVICE_TOKEN']}"}

    with_token = requests.get(f"{deployment.url}/getdata", headers={**headers, **token}, timeout=5)
    without = requests.get(f"{deployment.url}/getdata", headers=headers, timeout=5)

    assert with_token.status_code == 200, with_token.text
    assert with_token.json() == []  # migrated once as the guide says, nothing seeded yet
    assert "Strict-Transport-Security" in with_token.headers
    assert without.status_code == 401


def test_the_started_backend_lets_the_frontends_secret_read_but_never_write(deployed):
    deployment = deployed("backend")
    key = runtime_env("frontend")["BACKEND_API_KEY"]  # what the frontend's definition gives it
    headers = {
        "Host": APP_RUNNER_HOST,
        "X-Forwarded-Proto": "https",
        "Authorization": f"Bearer {key}",
    }

    read = requests.get(f"{deployment.url}/getdata", headers=headers, timeout=5)
    write = requests.post(
        f"{deployment.url}/api/v1/leaderboards/global/scores",
        json={"player_id": "the-frontend", "score": 1, "name": "Not Allowed"},
        headers=headers,
        timeout=5,
    )

    assert read.status_code == 200, read.text
    assert write.status_code == 403, write.text
    assert write.json()["error"]["code"] == "insufficient_scope"
