"""bench.compare's arithmetic and plumbing, without a server: medians and ratios of the two
sides, what is said about a ratio outside ±5%, the order of the rounds, and how the base
checkout is served (its code first on PYTHONPATH, its gunicorn.conf.py, a line per worker)."""

from __future__ import annotations

import math
import runpy

import pytest

import backend_site
from bench import compare
from bench.compare import Sample
from common.local_servers import ROOT
from common.local_servers.sites import served_from

NAN = math.nan


def samples(key: str, base: list[float], this: list[float], group: str = "1,000") -> list:
    found = [Sample(key, f"label {key}", group, "base", rate) for rate in base]
    return found + [Sample(key, f"label {key}", group, "this", rate) for rate in this]


def test_each_side_is_the_median_of_its_rounds_and_the_ratio_is_this_over_base():
    [row] = compare.rows(samples("getdata", [1000, 1200, 900], [1100, 1050, 5000]))

    assert row.base == [1000, 1200, 900]
    assert row.base_median == 1000
    assert row.this_median == 1100
    assert row.ratio == pytest.approx(1.1)
    assert row.spread == pytest.approx((5000 - 1050) / 1100)  # the noisier side's


def test_rows_keep_loads_and_groups_apart_in_the_order_met():
    found = compare.rows(
        samples("a", [10], [10], group="1,000")
        + samples("b", [10], [10], group="1,000")
        + samples("a", [20], [30], group="100,000")
    )

    assert [(row.key, row.group) for row in found] == [
        ("a", "1,000"),
        ("b", "1,000"),
        ("a", "100,000"),
    ]
    assert found[2].ratio == pytest.approx(1.5)


@pytest.mark.parametrize(
    ("this", "verdict"),
    [(100, "ok"), (96, "ok"), (104, "ok"), (94, "SLOWER"), (106, "FASTER")],
)
def test_a_ratio_is_ok_only_within_five_percent(this, verdict):
    [row] = compare.rows(samples("getdata", [100], [this]))

    assert row.verdict() == verdict


def test_runs_that_did_not_run_are_left_out_and_a_side_without_any_is_not_compared():
    [partly, never] = compare.rows(
        samples("a", [100, NAN, 120], [NAN, 110]) + samples("b", [NAN], [100])
    )

    assert partly.base_median == 110
    assert partly.ratio == pytest.approx(1.0)
    assert never.ratio is None
    assert never.verdict() == "not measured"
    assert never.as_dict()["base_rps"] == [None]


def test_errors_are_added_up_per_side():
    found = [
        Sample("a", "A", "1,000", "base", 100, errors=2),
        Sample("a", "A", "1,000", "this", 100),
        Sample("a", "A", "1,000", "base", 100, errors=1),
    ]

    [row] = compare.rows(found)

    assert (row.base_errors, row.this_errors) == (3, 0)
    assert "A at 1,000 (base 3, this 0)" in compare.summary([row]).splitlines()[-1]


def test_a_sample_of_neither_side_is_refused():
    with pytest.raises(ValueError, match="side"):
        compare.rows([Sample("a", "A", "1,000", "", 100)])


def test_the_summary_names_each_ratio_outside_five_percent_plainly():
    found = compare.rows(samples("fine", [100], [103]) + samples("slow", [100], [90]))

    said = compare.summary(found)

    assert said.splitlines()[0] == "1 of 2 ratios this/base are OUTSIDE ±5%:"
    assert "label slow at 1,000: 0.900 (-10.0%, this checkout slower" in said
    assert "label fine" not in said


def test_one_round_has_no_spread_to_show():
    found = compare.rows(samples("a", [100], [80]))

    assert found[0].spread is None
    assert compare.summary(found).splitlines()[1].endswith("(-20.0%, this checkout slower)")
    assert compare.table(found, "b", "t").splitlines()[-1].split()[-4:] == [
        "0.800",
        "-",
        "0/0",
        "SLOWER",
    ]


def test_the_summary_says_when_every_ratio_is_within_five_percent():
    found = compare.rows(samples("a", [100], [97]) + samples("b", [100], [104]))

    assert compare.summary(found) == "Every ratio this/base is within ±5% (2 compared)."


def test_the_table_shows_each_sides_median_and_the_ratio():
    found = compare.rows(samples("getdata", [1000, 1100], [900, 1000]))

    text = compare.table(found, "HEAD~3, abc", "this checkout")

    assert text.splitlines()[:2] == ["base: HEAD~3, abc", "this: this checkout"]
    assert "players" in text.splitlines()[2]
    [line] = [line for line in text.splitlines() if line.startswith("label getdata")]
    assert line.split()[-6:] == ["1,050.0", "950.0", "0.905", "11%", "0/0", "SLOWER"]


def test_rounds_alternate_which_side_goes_first():
    assert [compare.order(n) for n in (1, 2, 3)] == [
        ("base", "this"),
        ("this", "base"),
        ("base", "this"),
    ]


def test_another_checkout_is_served_first_on_pythonpath(tmp_path):
    env = {"PYTHONPATH": "/somewhere/else", "OTHER": "1"}

    served = served_from(tmp_path, env)

    assert served["PYTHONPATH"].split(":") == [str(tmp_path), "/somewhere/else"]
    assert served_from(tmp_path, served) == served  # not twice
    assert served_from(ROOT, env) is env  # this checkout: as it was


def test_the_served_config_is_the_sides_own_and_says_where_each_site_came_from(tmp_path, capsys):
    called = tmp_path / "their-hook-ran"
    checkout = tmp_path / "base"
    checkout.mkdir()
    (checkout / "gunicorn.conf.py").write_text(
        f"workers = 3\ndef post_worker_init(worker):\n    open({str(called)!r}, 'w').close()\n"
    )
    side = compare.Side("base", checkout, "0" * 40)

    written = runpy.run_path(str(compare.serve_conf(side, tmp_path)))
    written["post_worker_init"](None)

    assert written["workers"] == 3
    assert called.exists()
    said = compare.SERVED_LINE.findall(capsys.readouterr().err)
    assert [path for _, package, path in said if package == "backend_site"] == [
        backend_site.__file__
    ]
