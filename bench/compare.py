"""Before and after in one run: `--against <git-ref>` of bench.run and bench.writes.

The ref is exported (`git archive`) into a temporary directory, removed at the end. Each board
is seeded once, by this checkout; then the sites are served from the base checkout and from
this one in turn, against the same database and Redis, one side stopped before the other
starts, for `--rounds` rounds that alternate which side goes first (base, this; this, base;
...), so a machine that drifts during the run weighs on both sides alike. Only the served
code differs: the bench itself (seeding, wrk, the report) always runs from this checkout, so
the base may predate this option.

Each side's rate is the median of its rounds; the ratio is this side's over the base's, and
one outside ±TOLERANCE is said plainly. A gunicorn config written here serves the side's own
gunicorn.conf.py and has each worker print the file its Django site was imported from; the
bench checks that file is inside the side's checkout.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from common.local_servers import ROOT, GunicornSite, wait_until

TOLERANCE = 0.05  # issue 25: reads and writes within 5% of before
ROUNDS = 3
SIDES = ("base", "this")
SERVED_LINE = re.compile(r"^bench-served: pid (\d+) (\w+) (\S+)$", re.M)

# A gunicorn config for one side: the side's own gunicorn.conf.py, run as gunicorn would run
# it, plus a hook that says which file each worker imported its site from.
SERVE_CONF = '''\
"""Written by bench.compare: serve {conf} and say where each worker's site came from."""

import os as _os
import runpy as _runpy
import sys as _sys

_conf = _runpy.run_path({conf!r})
globals().update({{k: v for k, v in _conf.items() if not k.startswith("__")}})
_their_hook = _conf.get("post_worker_init")


def post_worker_init(worker):
    if _their_hook is not None:
        _their_hook(worker)
    for _name in ("backend_site", "frontend_site"):
        _module = _sys.modules.get(_name)
        if _module is not None:
            _line = f"bench-served: pid {{_os.getpid()}} {{_name}} {{_module.__file__}}"
            print(_line, file=_sys.stderr, flush=True)
'''


@dataclass
class Side:
    """One of the two versions served: its name (base or this), checkout and commit."""

    name: str
    root: Path
    commit: str
    conf: Path | None = None  # the gunicorn config written for it (serve_conf)
    served: dict[str, str] = field(default_factory=dict)  # site -> the file it came from

    @property
    def label(self) -> str:
        return f"{self.name} {self.commit[:10]}"


def arguments_add(parser, *, served: str) -> None:
    """The flags of a comparison, --against and --rounds, for a bench that serves ``served``
    ("sites", "backend")."""
    parser.add_argument(
        "--against",
        metavar="GIT_REF",
        help=f"Compare this checkout's {served} with those of GIT_REF, served in turn.",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=ROUNDS,
        help=f"With --against: rounds of both sides, alternating which goes first ({ROUNDS}).",
    )


def git(*args: str, cwd: Path = ROOT) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {done.stderr.strip()[:500]}")
    return done.stdout.strip()


def resolve(ref: str) -> str:
    """The full commit a ref names; RuntimeError if it names none."""
    return git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")


def commit_named(ref: str) -> str | None:
    """The commit --against names, or None after saying on stderr that it names none."""
    try:
        return resolve(ref)
    except RuntimeError:
        print(f"bench: --against {ref!r} names no commit", file=sys.stderr)
        return None


@contextlib.contextmanager
def base_checkout(commit: str) -> Iterator[Path]:
    """The tree of ``commit`` in a temporary directory (git archive: no worktree to register
    in the repository), removed however the block ends."""
    where = Path(tempfile.mkdtemp(prefix=f"leaderboard-base-{commit[:10]}-"))
    try:
        archive = subprocess.Popen(
            ["git", "archive", "--format=tar", commit], cwd=ROOT, stdout=subprocess.PIPE
        )
        unpacked = subprocess.run(["tar", "-x", "-C", str(where)], stdin=archive.stdout)
        archive.stdout.close()
        if archive.wait(timeout=300) != 0 or unpacked.returncode != 0:
            raise RuntimeError(f"could not export {commit} into {where}")
        yield where
    finally:
        shutil.rmtree(where, ignore_errors=True)


def migrations_differ(commit: str) -> list[str]:
    """The migration files that differ between ``commit`` and this checkout's working tree:
    both sides are served the database this checkout migrated."""
    changed = git("diff", "--name-only", commit, "--", "*/migrations/*.py")
    return changed.splitlines()


def serve_conf(side: Side, workdir: Path) -> Path:
    """Write the gunicorn config that serves ``side`` (see SERVE_CONF); return its path."""
    path = workdir / f"gunicorn-{side.name}.conf.py"
    path.write_text(SERVE_CONF.format(conf=str(side.root / "gunicorn.conf.py")))
    side.conf = path
    return path


def check_served(site: GunicornSite, side: Side, package: str, *, timeout: float = 30) -> str:
    """Wait until each worker of ``site`` has said where it imported ``package`` from, and
    check every answer is inside ``side``'s checkout; return that file. RuntimeError if not."""

    def said() -> dict[int, str]:
        found = SERVED_LINE.findall(site.log())
        return {int(pid): path for pid, name, path in found if name == package}

    def every_worker() -> bool:
        workers = site.worker_pids()
        return bool(workers) and set(workers) <= said().keys()

    wait_until(every_worker, timeout=timeout, what=f"{site}: each worker's {package}")
    files = set(said().values())
    root = side.root.resolve()
    outside = [path for path in files if not Path(path).resolve().is_relative_to(root)]
    if outside:
        raise RuntimeError(f"{site} ({side.label}) imported {package} from {outside}, not {root}")
    first = sorted(files)[0]
    side.served[package] = first
    return first


@contextlib.contextmanager
def sides(commit: str, workdir: Path) -> Iterator[dict[str, Side]]:
    """The two sides: ``commit`` exported into a temporary directory (removed when the block
    ends, after the servers are stopped) and this checkout, each with its gunicorn config."""
    with base_checkout(commit) as base_root:
        found = {
            "base": Side("base", base_root, commit),
            "this": Side("this", ROOT, git("rev-parse", "HEAD")),
        }
        for side in found.values():
            serve_conf(side, workdir)
        yield found


def labels(ref: str, commit: str, machine: dict) -> tuple[str, str]:
    """How the table names the base and this checkout (with what it has not committed)."""
    changed = machine.get("uncommitted_changes") or []
    this = f"this checkout, {machine.get('git_commit', '?')}" + (
        f" + uncommitted changes to {', '.join(changed)}" if changed else ""
    )
    return f"{ref}, {commit[:10]} (served from a temporary export)", this


def order(round_: int) -> tuple[str, str]:
    """Which side goes first in round 1, 2, ...: base in odd rounds, this in even ones."""
    return SIDES if round_ % 2 == 1 else SIDES[::-1]


# --- The comparison -------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One side's run of one load in one round."""

    key: str  # the endpoint or load
    label: str
    group: str  # what else tells rows apart: the board size, the database engine
    side: str  # base or this
    rps: float  # NaN when it did not run
    errors: int = 0


@dataclass
class Row:
    """One load at one size (or engine): each side's rates, round by round."""

    key: str
    label: str
    group: str
    base: list[float] = field(default_factory=list)
    this: list[float] = field(default_factory=list)
    base_errors: int = 0
    this_errors: int = 0

    @property
    def base_median(self) -> float | None:
        return median(self.base)

    @property
    def this_median(self) -> float | None:
        return median(self.this)

    @property
    def ratio(self) -> float | None:
        """This side's median rate over the base's."""
        base, this = self.base_median, self.this_median
        return this / base if base and this is not None else None

    @property
    def spread(self) -> float | None:
        """How far apart the rounds of one side were: the larger side's (max - min) / median."""
        spreads = []
        for side in (self.base, self.this):
            rates = [rate for rate in side if not math.isnan(rate)]
            if len(rates) > 1 and (middle := statistics.median(rates)):
                spreads.append((max(rates) - min(rates)) / middle)
        return max(spreads) if spreads else None

    def verdict(self, tolerance: float = TOLERANCE) -> str:
        ratio = self.ratio
        if ratio is None:
            return "not measured"
        if ratio < 1 - tolerance:
            return "SLOWER"
        if ratio > 1 + tolerance:
            return "FASTER"
        return "ok"

    def as_dict(self, tolerance: float = TOLERANCE) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "group": self.group,
            "base_rps": [_number(r) for r in self.base],
            "this_rps": [_number(r) for r in self.this],
            "base_median_rps": self.base_median,
            "this_median_rps": self.this_median,
            "ratio": self.ratio,
            "spread": self.spread,
            "base_errors": self.base_errors,
            "this_errors": self.this_errors,
            "verdict": self.verdict(tolerance),
        }


def median(rates: Iterable[float]) -> float | None:
    """The median of the rates that were measured (not NaN); None if none was."""
    measured = [rate for rate in rates if not math.isnan(rate)]
    return statistics.median(measured) if measured else None


def _number(value: float) -> float | None:
    return None if math.isnan(value) else value


def rows(samples: Iterable[Sample]) -> list[Row]:
    """Group the samples by load and group (in the order first met), each side's in order."""
    found: dict[tuple[str, str], Row] = {}
    for sample in samples:
        if sample.side not in SIDES:
            raise ValueError(f"a sample of side {sample.side!r}, not one of {SIDES}")
        row = found.setdefault(
            (sample.key, sample.group), Row(sample.key, sample.label, sample.group)
        )
        getattr(row, sample.side).append(sample.rps)
        setattr(row, f"{sample.side}_errors", getattr(row, f"{sample.side}_errors") + sample.errors)
    return list(found.values())


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def table(
    found: list[Row],
    base: str,
    this: str,
    *,
    titles: tuple[str, str] = ("endpoint", "players"),
    tolerance: float = TOLERANCE,
) -> str:
    """Each load's median req/s on either side, the ratio this/base and whether it is within
    ±tolerance; `spread` is how far apart one side's rounds were (the noise). ``titles``
    name the first two columns: the load, and what tells rows apart (``Row.group``)."""
    header = (
        f"{titles[0]:<34} {titles[1]:>10} {'base req/s':>11} {'this req/s':>11} "
        f"{'this/base':>9} {'spread':>7} {'errors b/t':>10}  verdict"
    )
    lines = [f"base: {base}", f"this: {this}", header, "-" * len(header)]
    for row in found:
        spread = row.spread
        lines.append(
            f"{row.label:<34} {row.group:>10} {_fmt(row.base_median, ',.1f'):>11} "
            f"{_fmt(row.this_median, ',.1f'):>11} {_fmt(row.ratio, '.3f'):>9} "
            f"{'-' if spread is None else f'{spread:.0%}':>7} "
            f"{f'{row.base_errors}/{row.this_errors}':>10}  {row.verdict(tolerance)}"
        )
    return "\n".join(lines)


def summary(found: list[Row], tolerance: float = TOLERANCE) -> str:
    """One plain sentence or list: which ratios are outside ±tolerance (or that none is)."""
    band = f"±{tolerance:.0%}"
    measured = [row for row in found if row.ratio is not None]
    outside = [row for row in measured if row.verdict(tolerance) in ("SLOWER", "FASTER")]
    lines = []
    if not measured:
        lines.append("Nothing was measured on both sides.")
    elif not outside:
        lines.append(f"Every ratio this/base is within {band} ({len(measured)} compared).")
    else:
        lines.append(f"{len(outside)} of {len(measured)} ratios this/base are OUTSIDE {band}:")
        for row in outside:
            word = "slower" if row.verdict(tolerance) == "SLOWER" else "faster"
            noise = "" if row.spread is None else f"; rounds differed by up to {row.spread:.0%}"
            lines.append(
                f"  {row.label} at {row.group}: {row.ratio:.3f} ({(row.ratio - 1):+.1%}, "
                f"this checkout {word}{noise})"
            )
    unmeasured = [f"{row.label} at {row.group}" for row in found if row.ratio is None]
    if unmeasured:
        lines.append("Not measured on both sides: " + "; ".join(unmeasured))
    errors = [
        f"{row.label} at {row.group} (base {row.base_errors}, this {row.this_errors})"
        for row in found
        if row.base_errors or row.this_errors
    ]
    if errors:
        lines.append("Errors (counted in the rates, so those ratios mislead): " + "; ".join(errors))
    return "\n".join(lines)


def write(data: dict, found: list[Row], *, started_at: datetime, prefix: str = "") -> Path:
    """Write bench/results/<prefix>compare-<timestamp>.json; return its path."""
    from bench.report import RESULTS_DIR

    data = {**data, "comparison": [row.as_dict() for row in found]}
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{prefix}compare-{started_at.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(_clean(data), indent=2) + "\n")
    return path


def _clean(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {key: _clean(v) for key, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value
