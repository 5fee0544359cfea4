"""Turn measured runs into the table, the target ratios (PASS/MISS) and the JSON results."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"

FLAT_MIN = 0.8
READ_VS_REDIS_FLOOR_MIN = 0.85  # a read / the floor that makes one Redis round trip
# Each read's rate over the ceiling's, measured in the same run.
CEILING_GOALS = {
    "entries_top": 0.4,
    "standing": 0.4,
    "period_top": 0.4,
    "period_past": 0.4,
    "period_standing": 0.4,
    "getdata": 0.3,
    "frontend_page": 0.5,
}
# Processes that serve the request (the rest of the machine: Redis, wrk, other jobs).
SERVING = ("ceiling", "floor_django", "floor_backend", "backend", "frontend")
SEED_SIZE = 1_000_000
SEED_SECONDS_MAX = 60.0
BYTES_PER_PLAYER_MAX = 200.0


@dataclass(kw_only=True)
class Rates:
    """What one wrk run measured (NaN until it ran), in bench.run and bench.writes alike."""

    rps: float = math.nan
    p50_ms: float = math.nan
    p99_ms: float = math.nan
    requests: int = 0
    non_2xx: int = 0
    cpu_cores: dict = field(default_factory=dict)  # average cores each side kept busy


@dataclass
class Run(Rates):
    endpoint: str
    label: str
    read: bool
    size: int | None  # None: does not depend on the board (the ceiling)
    errors: int = 0
    skipped: str = ""  # why it did not run
    connections_per_worker: list = field(default_factory=list)  # wrk's, mid-run, busiest first
    side: str = ""  # with --against: which checkout served it, "base" or "this"
    round: int | None = None  # with --against: which round (1, 2, ...)

    @property
    def site_us_per_request(self) -> float | None:
        """CPU time of the serving site's processes per request, in µs."""
        cores = sum(v for k, v in self.cpu_cores.items() if k in SERVING)
        return cores / self.rps * 1e6 if cores and self.rps and not math.isnan(self.rps) else None

    def as_dict(self) -> dict:
        data = {
            key: (None if isinstance(v, float) and math.isnan(v) else v)
            for key, v in self.__dict__.items()
        }
        data["site_us_per_request"] = self.site_us_per_request
        return data


@dataclass
class Seed:
    size: int
    seconds: float | None = None
    redis_bytes: int | None = None
    skipped: str = ""

    @property
    def bytes_per_player(self) -> float | None:
        return None if self.redis_bytes is None else self.redis_bytes / self.size

    def as_dict(self) -> dict:
        return {**self.__dict__, "bytes_per_player": self.bytes_per_player}


@dataclass
class Target:
    name: str
    value: str
    goal: str
    status: str  # PASS, MISS or SKIP
    detail: str = ""


@dataclass
class Results:
    config: dict
    machine: dict
    started_at: str
    runs: list[Run] = field(default_factory=list)
    seeds: list[Seed] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    profiles: dict[str, str] = field(default_factory=dict)

    def rate(self, endpoint: str, size: int | None) -> float | None:
        for run in self.runs:
            if run.endpoint == endpoint and run.size == size and not run.skipped:
                return run.rps
        return None

    def ceiling(self, size: int | None = None) -> float | None:
        """The ceiling measured next to this board size, else the best ceiling of the run."""
        beside = self.rate("ceiling", size)
        if beside:
            return beside
        rates = [r.rps for r in self.runs if r.endpoint == "ceiling" and not r.skipped]
        return max(rates) if rates else None


def _fmt(number: float | None, digits: int = 1) -> str:
    if number is None or (isinstance(number, float) and math.isnan(number)):
        return "-"
    return f"{number:,.{digits}f}"


def _size(size: int | None) -> str:
    return "-" if size is None else f"{size:,}"


def table(results: Results) -> str:
    """One table: endpoint × board size → req/s, p50, p99, errors, the serving site's CPU µs
    per request and Redis's (skipped rows say why)."""
    header = (
        f"{'endpoint':<34} {'players':>10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
        f" {'site µs':>8} {'Redis µs':>8}"
    )
    lines = [header, "-" * len(header)]
    order = {}
    for run in results.runs:
        order.setdefault(run.endpoint, len(order))
    for run in sorted(results.runs, key=lambda r: (order[r.endpoint], r.size or 0)):
        if run.skipped:
            lines.append(f"{run.label:<34} {_size(run.size):>10}   skipped: {run.skipped}")
            continue
        errors = str(run.errors) + (f" ({run.non_2xx} non-2xx)" if run.non_2xx else "")
        redis = run.cpu_cores.get("redis")
        redis_us = redis / run.rps * 1e6 if redis and run.rps else None
        lines.append(
            f"{run.label:<34} {_size(run.size):>10} {_fmt(run.rps):>9} "
            f"{_fmt(run.p50_ms, 2):>8} {_fmt(run.p99_ms, 2):>8} {errors:>7}"
            f" {_fmt(run.site_us_per_request, 0):>8} {_fmt(redis_us, 0):>8}"
        )
    return "\n".join(lines)


def seeds_table(results: Results) -> str:
    lines = [f"{'seed players':>12} {'seconds':>8} {'Redis bytes/player':>19}"]
    for seed in results.seeds:
        if seed.skipped:
            lines.append(f"{seed.size:>12,}   skipped: {seed.skipped}")
        else:
            lines.append(
                f"{seed.size:>12,} {_fmt(seed.seconds):>8} {_fmt(seed.bytes_per_player):>19}"
            )
    return "\n".join(lines)


def _status(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def targets(results: Results) -> list[Target]:
    """The issue's targets as ratios from this run."""
    found: list[Target] = []
    sizes = sorted({r.size for r in results.runs if r.size is not None and not r.skipped})
    reads: dict[str, str] = {}
    for run in results.runs:
        if run.read and run.size is not None:
            reads.setdefault(run.endpoint, run.label)

    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        ceiling_low, ceiling_high = results.rate("ceiling", small), results.rate("ceiling", large)
        for endpoint, label in reads.items():
            low, high = results.rate(endpoint, small), results.rate(endpoint, large)
            name = f"flat: {label} at {large:,} / at {small:,}"
            if not low or high is None:
                found.append(Target(name, "-", f">= {FLAT_MIN}", "SKIP", "not measured"))
                continue
            ratio = high / low
            detail = ""
            if ceiling_low and ceiling_high:
                detail = f"each over its own ceiling: {ratio * ceiling_low / ceiling_high:.2f}"
            found.append(
                Target(name, f"{ratio:.2f}", f">= {FLAT_MIN}", _status(ratio >= FLAT_MIN), detail)
            )
        if ceiling_low and ceiling_high:
            found.append(
                Target(
                    f"noise check: the ceiling itself at {large:,} / at {small:,}",
                    f"{ceiling_high / ceiling_low:.2f}",
                    "~1.0",
                    "INFO",
                    "far from 1.0 means the machine was busier during one size",
                )
            )

    for endpoint, goal in CEILING_GOALS.items():
        label = reads.get(endpoint, endpoint)
        ratios = {
            size: rate / ceiling
            for size in sizes
            if (ceiling := results.ceiling(size)) and (rate := results.rate(endpoint, size))
        }
        name = f"ceiling: {label} / bare WSGI"
        if not ratios:
            found.append(Target(name, "-", f">= {goal}", "SKIP", "not measured"))
            continue
        worst = min(ratios, key=ratios.get)
        detail = ", ".join(f"{size:,}: {ratio:.2f}" for size, ratio in ratios.items())
        found.append(
            Target(
                name + " (worst size)",
                f"{ratios[worst]:.2f}",
                f">= {goal}",
                _status(ratios[worst] >= goal),
                detail,
            )
        )

    for floor in ("floor_django", "floor_backend", "floor_redis"):
        ratios = {
            size: rate / ceiling
            for size in sizes
            if (ceiling := results.ceiling(size)) and (rate := results.rate(floor, size))
        }
        if ratios:
            label = next(r.label for r in results.runs if r.endpoint == floor)
            found.append(
                Target(
                    f"{label} / bare WSGI (for comparison)",
                    f"{min(ratios.values()):.2f}",
                    "-",
                    "INFO",
                    "what a view that does nothing reaches; "
                    + ", ".join(f"{size:,}: {ratio:.2f}" for size, ratio in ratios.items()),
                )
            )

    # A read against its floor: the backend's middleware and one Redis round trip, which every
    # read makes; what is left between is the read's own work (parsing, the script, JSON).
    for endpoint in ("entries_top", "standing", "getdata"):
        ratios = {
            size: rate / floor
            for size in sizes
            if (floor := results.rate("floor_redis", size))
            and (rate := results.rate(endpoint, size))
        }
        if not ratios:
            continue
        worst = min(ratios, key=ratios.get)
        graded = endpoint == "entries_top"
        found.append(
            Target(
                f"{reads.get(endpoint, endpoint)} / its Redis floor (worst size)",
                f"{ratios[worst]:.2f}",
                f">= {READ_VS_REDIS_FLOOR_MIN}" if graded else "-",
                _status(ratios[worst] >= READ_VS_REDIS_FLOOR_MIN) if graded else "INFO",
                ", ".join(f"{size:,}: {ratio:.2f}" for size, ratio in ratios.items()),
            )
        )

    read_runs = [r for r in results.runs if r.read and not r.skipped]
    failing = [f"{r.label} @ {_size(r.size)}: {r.errors}" for r in read_runs if r.errors]
    found.append(
        Target(
            "zero errors and non-2xx in every read run",
            str(sum(r.errors for r in read_runs)),
            "0",
            _status(not failing) if read_runs else "SKIP",
            "; ".join(failing),
        )
    )

    seeded = [s for s in results.seeds if not s.skipped]
    big = next((s for s in seeded if s.size == SEED_SIZE), None)
    found.append(
        _seed_target(
            big,
            f"seed {SEED_SIZE:,} players",
            f"<= {SEED_SECONDS_MAX:.0f} s",
            lambda seed: (f"{seed.seconds:.1f} s", seed.seconds <= SEED_SECONDS_MAX),
        )
    )
    found.append(
        _seed_target(
            big,
            f"Redis memory per player (at {SEED_SIZE:,})",
            f"<= {BYTES_PER_PLAYER_MAX:.0f} B",
            lambda seed: (
                f"{seed.bytes_per_player:.0f} B",
                seed.bytes_per_player <= BYTES_PER_PLAYER_MAX,
            ),
        )
    )
    return found


def _seed_target(
    big: Seed | None, name: str, goal: str, measured: Callable[[Seed], tuple[str, bool]]
) -> Target:
    """A target on the seed of SEED_SIZE players; ``measured`` gives the value shown and
    whether it meets the goal. SKIP when the run did not seed that many."""
    if big is None:
        return Target(name, "-", goal, "SKIP", f"{SEED_SIZE:,} not in this run's sizes")
    shown, ok = measured(big)
    return Target(name, shown, goal, _status(ok))


def targets_table(found: list[Target]) -> str:
    width = max((len(t.name) for t in found), default=10)
    lines = []
    for target in found:
        line = f"{target.status:<5} {target.name:<{width}}  {target.value:>8}  (goal {target.goal})"
        if target.detail:
            line += f"  [{target.detail}]"
        lines.append(line)
    return "\n".join(lines)


def write(results: Results, found: list[Target], *, finished_at: datetime) -> Path:
    """Write bench/results/<timestamp>.json and bench/results/latest.json; return the first."""
    data = {
        "started_at": results.started_at,
        "finished_at": finished_at.isoformat(timespec="seconds"),
        "config": results.config,
        "machine": results.machine,
        "ceiling_rps": {
            str(run.size): run.rps for run in results.runs if run.endpoint == "ceiling"
        },
        "runs": [run.as_dict() for run in results.runs],
        "seeds": [seed.as_dict() for seed in results.seeds],
        "targets": [target.__dict__ for target in found],
        "notes": results.notes,
        "profiles": results.profiles,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.fromisoformat(results.started_at).strftime("%Y%m%dT%H%M%S")
    path = RESULTS_DIR / f"{stamp}.json"
    text = json.dumps(data, indent=2) + "\n"
    path.write_text(text)
    (RESULTS_DIR / "latest.json").write_text(text)
    return path


def results_write(
    kind: str,
    *,
    started_at: datetime,
    config: dict,
    machine: dict,
    engines: list,
    targets: list,
    notes: list,
    clean: Callable[[dict], dict] = lambda data: data,
) -> Path:
    """Write bench/results/<kind>-<timestamp>.json (the writes' and the export's runs, one
    shape); return its path. ``clean`` makes the data JSON-safe (NaN to null)."""
    data = {
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "config": config,
        "machine": machine,
        "engines": engines,
        "targets": [target.__dict__ for target in targets],
        "notes": notes,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{kind}-{started_at.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(clean(data), indent=2) + "\n")
    return path
