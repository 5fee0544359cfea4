"""The container image (Dockerfile): what it is made of, and its steps run for real.

No container runtime is available here, so the build's RUN steps and the start command run
exactly as written, outside a container: in a copy of the build context (what .dockerignore
lets through), with a fresh Python 3.11 virtualenv standing in for the image's /opt/venv.
Then each site starts with the image's CMD and SITE, the backend after compose's one-shot
migrate command, and the image's HEALTHCHECK command must pass.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import yaml

from common.local_servers import ROOT, free_port, stop_process_group, wait_until
from tests.deploy.definitions import clean_env, copy_of_the_repository
from tests.deploy.dockerfile import stages

pytestmark = pytest.mark.served  # starts processes of its own: not in TEST_TIER=fast

BASE_IMAGE = "python:3.11-slim"
COMPILERS = re.compile(r"\b(gcc|g\+\+|cc|clang|build-essential|make|libc6?-dev|python3?-dev)\b")
SECRET_KEY = "image-test-secret-key-" + "x" * 40
TOKEN = "image-test-service-token"
READ_TOKEN = "image-test-read-token"  # compose's FRONTEND_READ_TOKEN
SAMPLE_NAMES = ["Alice", "Bob", "Carol", "Dan", "Steve"]


# --- what the image is made of -------------------------------------------------------------


def test_both_stages_start_from_python_311_slim_and_the_builder_is_named():
    builder, final = stages()[0], stages()[-1]

    assert [stage.base for stage in stages()] == [BASE_IMAGE, BASE_IMAGE]
    assert builder.name == "builder"
    assert f"--from={builder.name}" in " ".join(final.all("COPY"))


def test_the_builder_installs_only_the_lock_file_checked_by_hash():
    (run,) = stages()[0].all("RUN")

    assert "--require-hashes" in run
    assert "--no-deps" in run
    assert "-r requirements.lock" in run


def test_the_final_stage_installs_no_compiler_and_copies_only_the_virtualenv_from_the_builder():
    final = stages()[-1]
    venv = final.env({})["VIRTUAL_ENV"]

    for run in final.all("RUN"):
        assert "apt-get" not in run and "apk " not in run, run
        assert not COMPILERS.search(run), run
    from_builder = [copy for copy in final.all("COPY") if copy.startswith("--from=")]
    assert from_builder == [f"--from=builder {venv} {venv}"]
    assert stages()[0].env({})["VIRTUAL_ENV"] == venv


def test_the_image_runs_as_a_user_that_is_not_root_after_its_last_build_step():
    final = stages()[-1]
    words = [word for word, _ in final.instructions]

    assert final.user is not None, "the final stage needs a USER"
    assert final.user.split(":")[0] not in ("root", "0")
    assert words.index("USER") > max(i for i, word in enumerate(words) if word == "RUN")


def test_the_image_exposes_8000_checks_its_health_and_starts_through_start_sh():
    final = stages()[-1]
    options, health = final.healthcheck

    assert final.all("EXPOSE") == ["8000"]
    assert final.env({})["PORT"] == "8000"
    assert health == ["sh", "deploy/start.sh", "healthcheck"]
    assert any(option.startswith("--interval=") for option in options)
    assert "/healthz" in (ROOT / "deploy" / "start.sh").read_text()
    assert final.cmd == ["sh", "deploy/start.sh"]


def test_the_build_context_leaves_out_local_data_secrets_and_tests():
    ignored = (ROOT / ".dockerignore").read_text().split()

    for name in (".git", ".venv", ".env", "var/", "staticfiles/", "tests/"):
        assert name in ignored, f".dockerignore should leave out {name}"


# --- the steps, run for real ---------------------------------------------------------------


@dataclass
class Image:
    """The image's filesystem, outside a container: /app and /opt/venv are folders here."""

    app: Path
    venv: Path
    env: dict[str, str]  # the final stage's ENV, pointed at these folders

    def run(self, command: list[str], **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            command,
            cwd=self.app,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=300,
        )


def python_311_bin(folder: Path) -> Path:
    """A PATH folder whose `python` is a Python 3.11, as /usr/local/bin is in the base image."""
    base = Path(getattr(sys, "_base_executable", sys.executable))
    version = subprocess.run(
        [base, "-c", "import sys; print(sys.version_info[:2] == (3, 11))"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert version == "True", f"these tests need Python 3.11 (the image's), not {base}"
    folder.mkdir()
    for name in ("python", "python3"):
        (folder / name).symlink_to(base)
    return folder


def run_steps(stage, env: dict[str, str], cwd: Path) -> None:
    for step in stage.all("RUN"):
        started = time.monotonic()
        done = subprocess.run(
            ["sh", "-c", step], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, f"RUN {step}\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
        print(f"RUN took {time.monotonic() - started:.1f}s: {step[:60]}")


@pytest.fixture(scope="module")
def image(tmp_path_factory) -> Image:
    """Build the image's two stages with the Dockerfile's own RUN steps, once per module."""
    root = tmp_path_factory.mktemp("image")
    app = copy_of_the_repository(root / "app", dockerignore=True)
    venv = root / "opt-venv"
    path = f"{python_311_bin(root / 'usr-local-bin')}{os.pathsep}/usr/bin:/bin"

    def stage_env(stage) -> dict[str, str]:
        base = clean_env(path=path)
        written = stage.env({"PATH": path})
        in_image = written["VIRTUAL_ENV"]
        values = {name: value.replace(in_image, str(venv)) for name, value in written.items()}
        # The one change to the steps: keep pip's cache, so the test does not download the
        # whole lock file on every run (the image build needs no cache).
        values.pop("PIP_NO_CACHE_DIR", None)
        return {**base, **values}

    builder, final = stages()[0], stages()[-1]
    run_steps(builder, stage_env(builder), app)
    final_env = stage_env(final)
    run_steps(final, final_env, app)
    return Image(app=app, venv=venv, env=final_env)


class Started:
    """A site started with the image's CMD, stopped at the end of the module."""

    def __init__(self, image: Image, logfile: Path, **env: str):
        self.image = image
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**image.env, **env, "PORT": str(self.port)}
        self.logfile = logfile
        self.process = subprocess.Popen(
            stages()[-1].cmd,
            cwd=image.app,
            env=self.env,
            stdout=logfile.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def healthcheck(self) -> subprocess.CompletedProcess:
        """The image's HEALTHCHECK command, as Docker runs it inside the container."""
        return self.image.run(stages()[-1].healthcheck[1], PORT=str(self.port))

    def wait_healthy(self) -> None:
        def healthy() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"exited:\n{self.logfile.read_text()}")
            return self.healthcheck().returncode == 0

        try:
            wait_until(healthy, timeout=60, what=self.url)
        except TimeoutError:
            raise AssertionError(f"never healthy:\n{self.logfile.read_text()}") from None

    def stop(self) -> None:
        stop_process_group(self.process)


def production_on_loopback(**values: str) -> dict[str, str]:
    return {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "WEB_CONCURRENCY": "1",
        **values,
    }


@pytest.fixture(scope="module")
def stack(image, redis_databases, make_database_url, tmp_path_factory):
    """compose's migrate job, then the backend and the frontend, each from the image's CMD."""
    logs = tmp_path_factory.mktemp("image-logs")
    # As compose gives them: the backend takes both tokens, the frontend holds the read one.
    backend_env = production_on_loopback(
        BACKEND_SERVICE_TOKEN=TOKEN,
        BACKEND_READ_TOKEN=READ_TOKEN,
        REDIS_URL=redis_databases.take_url(),
        DATABASE_URL=make_database_url(logs),
    )
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    migrated = image.run(compose["services"]["migrate"]["command"], **backend_env)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr

    started = []
    try:
        backend = Started(image, logs / "backend.log", SITE="backend", **backend_env)
        started.append(backend)
        backend.wait_healthy()
        frontend = Started(
            image,
            logs / "frontend.log",
            **production_on_loopback(
                SITE="frontend", BACKEND_URL=backend.url, BACKEND_API_KEY=READ_TOKEN
            ),
        )
        started.append(frontend)
        frontend.wait_healthy()
        yield {"backend": backend, "frontend": frontend, "migrate": migrated}
    finally:
        for site in started:
            site.stop()


def test_the_build_installs_the_locked_packages_into_the_virtualenv(image):
    listed = image.run(["python", "-m", "pip", "list", "--format=freeze"]).stdout.lower()

    assert image.env["PATH"].startswith(str(image.venv / "bin"))
    assert "django==5.2.19" in listed
    assert "gunicorn==" in listed
    assert "pytest" not in listed  # development tools stay out of the image


@pytest.mark.parametrize("site", ["backend", "frontend"])
def test_the_build_collects_each_sites_hashed_static_files(image, site):
    manifest = image.app / "staticfiles" / site / "staticfiles.json"

    assert manifest.is_file(), f"collectstatic wrote nothing for the {site}"
    paths = manifest.read_text()
    assert ("admin/css/base.css" if site == "backend" else "board/") in paths


@pytest.mark.parametrize("site", ["backend", "frontend"])
def test_each_site_starts_from_the_image_command_and_passes_its_healthcheck(stack, site):
    started = stack[site]

    health = requests.get(f"{started.url}/healthz", timeout=5)

    assert health.status_code == 200
    assert started.healthcheck().returncode == 0


def test_the_healthcheck_fails_when_nothing_answers(image):
    result = image.run(stages()[-1].healthcheck[1], PORT=str(free_port()))

    assert result.returncode != 0
    assert "unhealthy" in result.stderr


def test_the_migrate_job_seeds_the_sample_players_once(stack, image):
    again = image.run(["sh", "deploy/start.sh", "migrate", "--seed"], **stack["backend"].env)

    assert "Seeded 5 players" in stack["migrate"].stdout
    assert again.returncode == 0, again.stderr
    assert "already has scores" in again.stdout


def test_the_frontend_page_shows_the_players_from_the_backend_with_its_static_files(stack):
    page = requests.get(f"{stack['frontend'].url}/", timeout=10)

    assert page.status_code == 200
    for name in SAMPLE_NAMES:
        assert name in page.text
    asset = re.search(r'href="(/static/board/[^"]+\.[0-9a-f]{12}\.css)"', page.text)
    assert asset, "the page should link its hashed stylesheet"
    css = requests.get(stack["frontend"].url + asset[1], timeout=5)
    assert css.status_code == 200


def test_the_backend_serves_the_admins_static_files_from_the_build(stack):
    login = requests.get(f"{stack['backend'].url}/admin/login/", timeout=10)
    stylesheet = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', login.text)

    assert login.status_code == 200
    assert stylesheet, "the admin should link its hashed stylesheet"
    assert requests.get(stack["backend"].url + stylesheet[1], timeout=5).status_code == 200
