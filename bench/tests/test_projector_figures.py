"""The projector's figures the bench reads from its /metrics: document writes by kind."""

from __future__ import annotations

from prometheus_client import generate_latest

from bench.details import detail_lines
from bench.progress import writes_by_kind
from bench.report import build_rows
from innkeeper_contracts.documents import BOOKINGS, CHECKPOINTS, HOTEL_NIGHTS
from projector.metrics import Metrics


def test_the_written_counter_is_read_per_kind_from_the_projectors_metrics_text() -> None:
    metrics = Metrics()
    assert writes_by_kind(generate_latest(metrics.registry).decode()) is None  # nothing written yet
    metrics.record_written({BOOKINGS: 1, HOTEL_NIGHTS: 1, CHECKPOINTS: 1})
    assert writes_by_kind(generate_latest(metrics.registry).decode()) == {
        "read_document": 2.0,
        "checkpoint": 1.0,
    }


def test_writes_per_event_has_a_row_against_the_issues_bound_and_a_line_by_kind() -> None:
    by_kind = {"read_document": 2.1, "checkpoint": 0.5}
    projector = {"writes_per_event": 2.6, "writes_per_event_by_kind": by_kind, "mean_batch": 150.0}
    results = {"innkeeper": {"projector": projector}}
    row = next(row for row in build_rows(results) if row.measure == "projector document writes per event")
    assert (row.value, row.verdict) == (2.6, "MISS")
    assert any("checkpoints 0.50" in line and "read documents 2.10" in line for line in detail_lines(results))


def test_the_hotel_search_is_judged_against_the_issues_targets() -> None:
    raw = {"fastapi_find_one": {"rps": 2000.0, "p99_ms": 30.0}}
    searches = {"rps": 1100.0, "p99_ms": 70.0}  # 0.55x the rate, but p99 2.33x
    rows = {row.measure: row for row in build_rows({"raw": raw, "innkeeper": {"hotel_search": searches}})}
    rate, p99 = rows["GET /hotels?city&dates req/s"], rows["GET /hotels?city&dates p99"]
    assert (rate.target, rate.verdict) == ("ratio >= 0.5", "PASS")
    assert (p99.target, p99.verdict) == ("ratio <= 2.0", "MISS")
