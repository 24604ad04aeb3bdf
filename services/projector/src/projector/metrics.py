"""Prometheus metrics of the projector, in a registry per process (nothing is registered at import)."""

from __future__ import annotations

import collections
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from innkeeper_contracts.documents import CHECKPOINTS
from innkeeper_kit.metrics import process_registry

if TYPE_CHECKING:
    from .planner import Plan
    from .ports import Written

READ_DOCUMENT, CHECKPOINT = "read_document", "checkpoint"
"""The kinds of document a batch writes: the read model's documents, and the aggregates' checkpoints."""


class Metrics:
    """Counters per shard, the batch sizes, the parking lot and the lag."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry = registry or process_registry()
        self.applied = Counter(
            "innkeeper_projector_events_applied_total",
            "Events applied to the read model, by shard and event type",
            ["shard", "event_type"],
            registry=registry,
        )
        self.duplicates = Counter(
            "innkeeper_projector_events_duplicate_total",
            "Duplicate events skipped",
            ["shard"],
            registry=registry,
        )
        self.batch_size = Histogram(
            "innkeeper_projector_batch_size_events",
            "Events per batch",
            buckets=(1, 5, 10, 25, 50, 100, 200, 500, 1000),
            registry=registry,
        )
        self.parked = Counter(
            "innkeeper_projector_events_parked_total", "Events parked after failing", registry=registry
        )
        self.malformed = Counter(
            "innkeeper_projector_messages_malformed_total", "Messages that are not events", registry=registry
        )
        self.position = Gauge(
            "innkeeper_projector_shard_position", "Last global position applied", ["shard"], registry=registry
        )
        self.lag_events = Gauge(
            "innkeeper_projector_lag_events", "Log head minus applied global position", registry=registry
        )
        self.lag_seconds = Gauge(
            "innkeeper_projector_lag_seconds", "Age of the newest event not yet applied", registry=registry
        )
        self.parked_now = Gauge(
            "innkeeper_projector_parked_events", "Events in the parking lot now", registry=registry
        )
        self.written = Counter(
            "innkeeper_projector_documents_written_total",
            "Documents written by saved batches (inserts, replaces, deletes), by kind and collection",
            ["kind", "collection"],
            registry=registry,
        )

        self.reconcile_missing = Gauge(
            "innkeeper_projector_reconcile_missing_events",
            "Events of the log the read store lacks, as the last reconciliation found (0: in step)",
            registry=registry,
        )
        self.reconciled = Counter(
            "innkeeper_projector_reconciled_events_total",
            "Events applied again from the log because the read store had lost them",
            registry=registry,
        )

    def record_written(self, written: Written) -> None:
        """Count the writes of a saved batch as the store reports them: what it sent, including what
        only that store keeps (MongoDB's card revisions), not what the batch's events planned."""
        for collection, count in written.items():
            self.written.labels(CHECKPOINT if collection == CHECKPOINTS else READ_DOCUMENT, collection).inc(
                count
            )

    def record(self, shard: str, plan: Plan) -> None:
        # One increment per event type in the batch, not per event: `labels()` costs a lock and a lookup.
        for event_type, count in collections.Counter(e.event_type for e in plan.applied).items():
            self.applied.labels(shard, event_type).inc(count)
        self.duplicates.labels(shard).inc(plan.duplicates)
        self.batch_size.observe(len(plan.applied) + plan.duplicates + len(plan.behind))
        if plan.applied:
            self.position.labels(shard).set(max(e.global_position for e in plan.applied))
