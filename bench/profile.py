"""Sample a gunicorn master and its workers with py-spy while load runs; summarise the stacks.

py-spy is a profiling tool, not a dependency: install it into the virtualenv by hand
(`.venv/bin/pip install py-spy`) before `python -m bench.run --profile`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def py_spy() -> str | None:
    beside_python = Path(sys.executable).parent / "py-spy"
    return str(beside_python) if beside_python.exists() else shutil.which("py-spy")


def ensure_py_spy() -> str:
    found = py_spy()
    if not found:
        raise RuntimeError("--profile needs py-spy: .venv/bin/pip install py-spy")
    return found


def record_during(pid: int, action, *, seconds: int, raw_output: Path) -> str:
    """Run `action` while py-spy samples `pid` and its children; return a summary."""
    command = [ensure_py_spy(), "record", "--pid", str(pid), "--subprocesses", "--gil"]
    command += ["--rate", "200", "--duration", str(seconds + 1), "--format", "raw"]
    command += ["--output", str(raw_output)]
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)  # let py-spy attach before the load starts
        action()
        _, errors = spy.communicate(timeout=seconds + 60)
    finally:
        if spy.poll() is None:
            spy.kill()
            spy.wait()
    if not raw_output.exists():
        raise RuntimeError(f"py-spy wrote nothing: {errors}")
    return summarise(raw_output.read_text())


def _frames(stack: str) -> list[tuple[str, str]]:
    frames = []
    for text in stack.split(";"):
        match = _FRAME.match(text)
        if match:
            frames.append((match["func"], _short(match["file"])))
    return frames


def _short(path: str) -> str:
    for marker in ("site-packages/", "python3.11/", "/work/main/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def summarise(raw: str, *, top: int = 20) -> str:
    """Where the CPU samples fall: inclusive share per source file, self share per function."""
    inclusive: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = _frames(stack)
        if not frames:
            continue
        total += count
        for file in {file for _, file in frames}:
            inclusive[file] += count
        for call in {f"{func} ({file})" for func, file in frames}:
            calls[call] += count
        func, file = frames[-1]
        own[f"{func} ({file})"] += count
    if not total:
        return "no samples"
    lines = [f"{total} samples (CPU only, all workers)", "", "inclusive % by file:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top)]
    lines += ["", "inclusive % by function:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in calls.most_common(2 * top)]
    lines += ["", "self % by function:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in own.most_common(top)]
    return "\n".join(lines)
