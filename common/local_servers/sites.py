"""The two Django sites under gunicorn, `manage.py`, and production mode on loopback."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import requests

from common.local_servers.processes import (
    HOST,
    PYTHON,
    ROOT,
    InSession,
    ProcessExited,
    free_port,
    start_in_session,
    wait_until,
)

# Production mode for either site, but on loopback and plain HTTP (as behind App Runner).
PRODUCTION_ON_LOOPBACK = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_SECURE_COOKIES": "false",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
}


def served_from(root: Path, env: dict[str, str]) -> dict[str, str]:
    """``env`` for a process that must import its code from ``root``, another checkout of the
    repository (say, a base commit the bench compares with): ``root`` first on PYTHONPATH."""
    paths = [path for path in env.get("PYTHONPATH", "").split(os.pathsep) if path]
    if root == ROOT or paths[:1] == [str(root)]:
        return env
    return {**env, "PYTHONPATH": os.pathsep.join([str(root), *paths])}


def manage(
    *args: str,
    env: dict[str, str],
    timeout: float | None = 900,
    inherit: bool = True,
    capture: bool = True,
    check: bool = False,
    root: Path = ROOT,
) -> subprocess.CompletedProcess:
    """Run ``manage.py`` from the repository root (or ``root``, another checkout) with ``env``
    added to ours (all of it, and nothing else, unless ``inherit``); output captured as text
    unless ``capture`` is off."""
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=root,
        env=served_from(root, {**os.environ, **env} if inherit else env),
        capture_output=capture,
        text=True,
        timeout=timeout,
        check=check,
    )


def production_env(site: str, *, secret_key: str, **values: str) -> dict[str, str]:
    """Environment of ``site`` (backend_site or frontend_site) in production mode, on loopback
    and plain HTTP, with the caller's secret key and ``values``."""
    return {
        **PRODUCTION_ON_LOOPBACK,
        "DJANGO_SETTINGS_MODULE": f"{site}.settings",
        "DJANGO_SECRET_KEY": secret_key,
        **values,
    }


def backend_env(
    redis_url: str, database_url: str, *, secret_key: str, service_token: str, **extra: str
) -> dict[str, str]:
    """Environment of a backend in production mode, on loopback and plain HTTP, taking
    ``service_token`` (BACKEND_SERVICE_TOKEN); ``extra`` adds or overrides variables."""
    values = {
        "BACKEND_SERVICE_TOKEN": service_token,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        **extra,
    }
    return production_env("backend_site", secret_key=secret_key, **values)


def frontend_env(
    backend_url: str, static_root: Path, *, secret_key: str, service_token: str, **extra: str
) -> dict[str, str]:
    """Environment of a frontend in production mode, on loopback and plain HTTP, sending the
    backend ``service_token`` as its BACKEND_API_KEY (any secret the backend takes: a service
    or read token, an API key); ``extra`` adds or overrides variables."""
    values = {
        "BACKEND_API_KEY": service_token,
        "DJANGO_STATIC_ROOT": str(static_root),
        "BACKEND_URL": backend_url,
        **extra,
    }
    return production_env("frontend_site", secret_key=secret_key, **values)


class GunicornSite(InSession):
    """One of the Django sites (or any WSGI app) under gunicorn with ./gunicorn.conf.py, as
    App Runner runs it.

    Only the bind address is set here (``bind``, else a free loopback port); workers and
    threads come from gunicorn.conf.py and the environment. The log goes to ``logfile``, or to
    our own output when it is None. ``root`` serves another checkout of the repository instead
    (its code, run from there, first on PYTHONPATH) with its gunicorn.conf.py, or ``conf``.
    """

    def __init__(
        self,
        wsgi: str,
        env: dict[str, str],
        logfile: Path | None,
        *,
        bind: str | None = None,
        ready_path: str = "/healthz",
        root: Path = ROOT,
        conf: Path | None = None,
    ):
        self.wsgi = wsgi
        self.bind = bind or f"{HOST}:{free_port()}"
        self.port = int(self.bind.rsplit(":", 1)[1])
        self.root = root
        self.conf = conf or root / "gunicorn.conf.py"
        self.env = served_from(root, {**os.environ, **env, "GUNICORN_BIND": self.bind})
        self.logfile = logfile
        self.ready_path = ready_path
        self.process: subprocess.Popen | None = None

    def __repr__(self) -> str:
        return f"gunicorn {self.wsgi} on {self.bind}"

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def manage(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
        """Run ``manage.py`` in the site's environment; output captured."""
        return manage(*args, env=self.env, timeout=timeout, inherit=False, root=self.root)

    def migrate(self) -> None:
        """Create the site's database tables (the backend's DATABASE_URL)."""
        done = self.manage("migrate", "--no-input", "-v", "0")
        if done.returncode != 0:
            raise RuntimeError(f"migrate failed:\n{done.stderr}")

    def start(self, *, timeout: float = 60) -> None:
        """Start gunicorn and wait for a 200 on ``ready_path``; if gunicorn exits first or
        never answers, stop it and raise with the end of its log."""
        conf = str(self.conf)
        command = [PYTHON, "-m", "gunicorn", "-c", conf, "--bind", self.bind, self.wsgi]
        self.process = start_in_session(command, env=self.env, logfile=self.logfile, cwd=self.root)

        def ready() -> bool:
            if self.process.poll() is not None:
                raise ProcessExited(str(self), self.process.returncode, self._log_note())
            return requests.get(self.url + self.ready_path, timeout=1).status_code == 200

        try:
            wait_until(ready, timeout=timeout, what=str(self))
        except TimeoutError as exc:
            self.stop()
            raise TimeoutError(f"{exc}{self._log_note()}") from None
        except ProcessExited:
            self.process = None
            raise

    def worker_pids(self) -> list[int]:
        """The pids of gunicorn's workers now (the master's children)."""
        if self.process is None:
            return []
        try:
            children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        except FileNotFoundError:  # the master has ended
            return []
        return [int(pid) for pid in children.split()]

    def _log_note(self) -> str:
        if self.logfile is None:
            return "; see its output above"
        return f"\n--- {self.logfile} ---\n{self.log_tail()}"

    def log(self) -> str:
        """Everything gunicorn and the site logged so far."""
        if self.logfile is None or not self.logfile.exists():
            return ""
        return self.logfile.read_text(errors="replace")

    def log_tail(self, lines: int = 30) -> str:
        """The last ``lines`` lines of the log."""
        return "\n".join(self.log().splitlines()[-lines:])
