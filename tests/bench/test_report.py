"""The bench's results files: one shape for the writes' and the export's runs."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

from bench import report


def test_results_write_names_the_file_by_kind_and_time_and_cleans_the_data(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "RESULTS_DIR", tmp_path / "results")
    target = report.Target("zero errors", "0", "0", "PASS")
    path = report.results_write(
        "export",
        started_at=datetime(2026, 12, 6, 13, 5, 7, tzinfo=UTC),
        config={"size": 10},
        machine={"cpus": 2},
        engines=[{"rate": math.nan}],
        targets=[target],
        notes=["a note"],
        clean=lambda data: {**data, "engines": [{"rate": None}]},
    )
    assert path == tmp_path / "results" / "export-20261206T130507.json"
    data = json.loads(path.read_text())
    assert (data["config"], data["engines"], data["notes"]) == (
        {"size": 10},
        [{"rate": None}],
        ["a note"],
    )
    assert data["targets"] == [target.__dict__]
    assert data["started_at"] == "2026-12-06T13:05:07+00:00"
