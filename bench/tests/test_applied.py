"""A drain's progress is read from the projector processes' own counters, not by scanning the store."""

from __future__ import annotations

from prometheus_client import generate_latest

from bench.applied import applied_in
from bench.progress import watch_drain
from projector.metrics import Metrics


def test_the_applied_events_are_summed_over_shards_and_types_from_the_projectors_metrics_text() -> None:
    metrics = Metrics()
    assert applied_in(generate_latest(metrics.registry).decode()) == 0
    metrics.applied.labels("shard-0", "StayBooked").inc(100)
    metrics.applied.labels("shard-0", "HotelRegistered").inc(20)
    metrics.applied.labels("shard-3", "StayBooked").inc(7)
    metrics.duplicates.labels("shard-0").inc(5)  # skipped, not applied
    assert applied_in(generate_latest(metrics.registry).decode()) == 127


def test_a_drain_runs_from_the_first_progress_to_the_target() -> None:
    readings = iter([0, 0, 40, 90, 100])
    drain = watch_drain(lambda: next(readings), 0, 100, timeout=5, interval=0.001)
    assert (drain.first_count, drain.last_count) == (40, 100)
    assert drain.last_time > drain.first_time
