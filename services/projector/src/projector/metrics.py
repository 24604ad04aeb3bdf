"""Prometheus metrics of the projector."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import Counter, Gauge, Histogram

if TYPE_CHECKING:
    from .applier import Plan


class Metrics:
    """Counters per shard, the batch sizes, the parking lot and the lag."""

    def __init__(self) -> None:
        self.applied = Counter(
            "projector_events_applied_total", "Events applied to the read model", ["shard"]
        )
        self.applied_by_type = Counter(
            "projector_events_applied_by_type_total", "Events applied to the read model", ["event_type"]
        )
        self.duplicates = Counter("projector_events_duplicate_total", "Duplicate events skipped", ["shard"])
        self.batch_size = Histogram(
            "projector_batch_size", "Events per batch", buckets=(1, 5, 10, 25, 50, 100, 200, 500, 1000)
        )
        self.parked = Counter("projector_events_parked_total", "Events parked after failing")
        self.malformed = Counter("projector_messages_malformed_total", "Messages that are not events")
        self.position = Gauge("projector_shard_position", "Last global position applied", ["shard"])
        self.lag_events = Gauge("projector_lag_events", "Log head minus applied global position")
        self.lag_seconds = Gauge("projector_lag_seconds", "Age of the newest event not yet applied")
        self.parked_now = Gauge("projector_parked_events", "Events in the parking lot now")

    def record(self, shard: str, plan: Plan) -> None:
        self.applied.labels(shard).inc(len(plan.applied))
        for event in plan.applied:
            self.applied_by_type.labels(event.event_type).inc()
        self.duplicates.labels(shard).inc(plan.duplicates)
        self.batch_size.observe(len(plan.applied) + plan.duplicates + len(plan.behind))
        if plan.applied:
            self.position.labels(shard).set(max(e.global_position for e in plan.applied))


METRICS = Metrics()
