"""Fast checks of the bench's pure parts: statistics, report verdicts, the docs rewrite, profiles."""

from __future__ import annotations

from bench.docs import HISTORY, LATEST, between, replace_between
from bench.profile import summarise
from bench.report import Row, build_rows, get, limit_row, ratio_row
from bench.stats import latency_summary, percentile


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.99) == 99
    assert percentile([], 0.5) is None
    assert latency_summary([0.001, 0.002])["max_ms"] == 2.0


def test_get_walks_dicts_and_lists() -> None:
    results = {"a": {"rounds": [{"x": 1}, {"x": 2}]}}
    assert get(results, "a", "rounds", "1", "x") == 2
    assert get(results, "a", "missing") is None
    assert get(results, "a", "rounds", "7") is None


def test_ratio_and_limit_verdicts() -> None:
    assert ratio_row("m", 80.0, "u", "base", 100.0, 0.8).verdict == "PASS"
    assert ratio_row("m", 79.0, "u", "base", 100.0, 0.8).verdict == "MISS"
    assert ratio_row("m", None, "u", "base", 100.0, 0.8).verdict == "n/a"
    assert limit_row("f", 31.0, "ms", 30).verdict == "MISS"
    assert Row("m", 1.0, "u", "b", 0.0).ratio is None


def test_rows_without_innkeeper_are_not_available_never_numbers() -> None:
    rows = build_rows({"raw": {"postgres_append": {"per_s": 1000.0}}, "peer": {"per_s": 100.0}})
    targeted = [row for row in rows if row.target]
    assert targeted
    assert all(row.value is None and row.verdict == "n/a" for row in targeted)


def test_paired_baselines_win_over_standalone() -> None:
    results = {
        "raw": {"postgres_append": {"per_s": 1000.0}},
        "peer": {"per_s": 100.0},
        "innkeeper": {
            "commands": {"32": {"per_s": 300.0}},
            "commands_baselines": {"postgres_append": {"per_s": 500.0}, "peer": {"per_s": 150.0}},
        },
    }
    rows = {(row.measure, row.target): row for row in build_rows(results)}
    assert rows[("BookStay commands/s, concurrency 32", "ratio >= 2.0")].ratio == 2.0
    assert rows[("BookStay commands/s, concurrency 32", "ratio >= 0.4")].ratio == 0.6


def test_docs_sections_are_replaced_and_history_kept() -> None:
    text = replace_between("# Benchmarks\n", LATEST, "first")
    text = replace_between(text, HISTORY, "- run 1")
    text = replace_between(text, LATEST, "second")
    assert between(text, LATEST).strip() == "second"
    assert "first" not in text
    assert between(text, HISTORY).strip() == "- run 1"


def test_profile_summary_counts_self_and_innkeeper_time() -> None:
    collapsed = (
        "main (/work/main/services/x/app.py:1);leaf (/lib/y.py:2) 3\n"
        "main (/work/main/services/x/app.py:1);other (/lib/z.py:9) 1\n"
    )
    summary = summarise(collapsed)
    assert "4 samples" in summary
    assert "75.0%  leaf (/lib/y.py:2)" in summary
    assert "100.0%  main (/work/main/services/x/app.py:1)" in summary
