"""The sustained-rate phase's pure parts: step planning, the keeps-up judgement, its row and its plot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.details import cpu_per_command, sustained_lines
from bench.docs import curve_link
from bench.plot import write_curve
from bench.report import build_rows
from bench.sustained_rules import StepFigures, plan_steps, shortfalls, slope, sustained_rate

STEADY = [(float(t), 20.0 + (t % 2) * 10) for t in range(10)]


def step(**changes: Any) -> StepFigures:
    figures = {"offered": 200.0, "accepted_per_s": 199.0, "p99_ms": 90.0, "backlog": STEADY,
               "events_per_s": 400.0}  # fmt: skip
    return StepFigures(**{**figures, **changes})


def test_steps_are_fractions_of_the_best_rate_lowest_first() -> None:
    assert plan_steps(1000.0) == [50.0, 100.0, 200.0, 350.0, 500.0, 800.0, 1000.0]
    assert plan_steps(10.0, (0.1, 0.2, 1.0)) == [5.0, 10.0]


def test_slope_of_a_line_and_of_too_few_samples() -> None:
    assert slope([(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)]) == 2.0
    assert slope([(0.0, 7.0)]) == 0.0
    assert slope([(1.0, 1.0), (1.0, 9.0)]) == 0.0


def test_a_step_with_fresh_reads_and_a_flat_small_backlog_keeps_up() -> None:
    assert shortfalls(step()) == []


def test_each_shortfall_is_named() -> None:
    assert "freshness p99 151 ms" in shortfalls(step(p99_ms=151.0))[0]
    assert "none fresh" in shortfalls(step(p99_ms=None))[0]
    assert "accepted 150 of 200" in shortfalls(step(accepted_per_s=150.0))[0]
    assert shortfalls(step(backlog=[])) == ["no backlog sample"]
    growing = [(float(t), 40.0 * t) for t in range(10)]
    reasons = shortfalls(step(backlog=growing))
    assert any("at the end" in reason for reason in reasons)
    assert any("growing 40 events/s" in reason for reason in reasons)


def test_a_backlog_growing_slowly_but_still_large_at_the_end_falls_behind() -> None:
    late = [*STEADY[:-1], (9.0, 500.0)]
    assert any("500 events at the end" in reason for reason in shortfalls(step(backlog=late)))


def test_sustained_rate_is_the_highest_step_that_kept_up() -> None:
    steps = [{"accepted_per_s": 100.0, "keeps_up": True}, {"accepted_per_s": 180.0, "keeps_up": True},
             {"accepted_per_s": 240.0, "keeps_up": False}]  # fmt: skip
    assert sustained_rate(steps) == 180.0
    assert sustained_rate(steps[2:]) == 0.0


def phase() -> dict[str, Any]:
    steps = [{"offered": 100.0, "accepted_per_s": 99.0, "p50_ms": 20.0, "p99_ms": 60.0, "backlog_end": 4,
              "events_per_s": 198.0, "keeps_up": True, "shortfalls": []},
             {"offered": 200.0, "accepted_per_s": 190.0, "p50_ms": 300.0, "p99_ms": 900.0, "backlog_end": 800,
              "events_per_s": 380.0, "keeps_up": False,
              "shortfalls": ["freshness p99 900 ms > 150 ms"]}]  # fmt: skip
    return {"best_rate": 400.0, "step_seconds": 10.0, "read_every": 4, "steps": steps, "rate": 99.0,
            "ratio": 99.0 / 400.0}  # fmt: skip


def test_the_sustained_row_compares_with_the_best_command_rate() -> None:
    rows = build_rows({"innkeeper": {"sustained": phase()}})
    rows = [row for row in rows if row.measure.startswith("sustained")]
    assert len(rows) == 1
    assert rows[0].ratio == 99.0 / 400.0
    assert (rows[0].target, rows[0].verdict) == ("ratio >= 0.8", "MISS")


def test_steps_are_described_under_the_table_and_the_curve_linked() -> None:
    results = {"innkeeper": {"sustained": phase()}}
    lines = sustained_lines(results)
    assert len(lines) == 5  # the heading, then per step its figures and where its CPU went
    assert "keeps up" in lines[1]
    assert "falls behind: freshness p99 900 ms" in lines[3]
    assert all(line.strip() == "CPU per command: n/a" for line in lines[2::2])  # no shares measured
    assert "benchmarks-sustained.png" in curve_link(results)[0]
    assert curve_link({"innkeeper": {}}) == []


def test_a_steps_cpu_is_shown_per_accepted_command_and_component() -> None:
    step = {**phase()["steps"][0], "cpu_share": {"Mongo stand-in": 0.25, "projector": 0.05, "other (x)": 0.1}}
    line = cpu_per_command(step, 2)  # 99 cmd/s on 2 cores: a quarter of them is 5.05 ms per command
    assert line.startswith("CPU per command 8.08 ms (Mongo stand-in 5.05, projector 1.01, other (x) 2.02)")
    assert line.endswith("kept the machine 30 % busy")


def test_the_curve_is_written_as_a_png(tmp_path: Path) -> None:
    written = write_curve(phase()["steps"], 400.0, 99.0, tmp_path / "docs" / "curve.png")
    assert written.read_bytes().startswith(b"\x89PNG")
