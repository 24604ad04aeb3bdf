"""Prometheus metrics of the notifier, in a registry per runtime (nothing is registered at import)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from innkeeper_kit.metrics import process_registry

SEND_SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class Metrics:
    """Deliveries by channel and outcome, the events taken in, and the backlog read at each scrape."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry = registry or process_registry()

        def gauge(name: str, documentation: str) -> Gauge:
            return Gauge(f"innkeeper_notifier_{name}", documentation, registry=registry)

        self.deliveries = Counter(
            "innkeeper_notifier_deliveries_total",
            "Send attempts by channel and outcome (delivered, retried, failed, undeliverable)",
            ["channel", "outcome"],
            registry=registry,
        )
        self.events = Counter(
            "innkeeper_notifier_events_received_total",
            "Events taken in, by type",
            ["event_type"],
            registry=registry,
        )
        self.dead_lettered = Counter(
            "innkeeper_notifier_messages_dead_lettered_total",
            "Messages that are not valid events, dead-lettered",
            registry=registry,
        )
        self.send_seconds = Histogram(
            "innkeeper_notifier_send_seconds",
            "Time of one send attempt",
            ["channel"],
            buckets=SEND_SECONDS_BUCKETS,
            registry=registry,
        )
        self.open = gauge("open_deliveries", "Deliveries not yet delivered nor failed")
        self.retry_backlog = gauge("retry_backlog", "Open deliveries waiting for another attempt")
        self.failed = gauge("failed_deliveries", "Dead-lettered deliveries an operator can retry")
        self.oldest = gauge("oldest_undelivered_seconds", "Age of the oldest open delivery")
        self.store_up = gauge(
            "store_up", "1 when the gauges above were read at this scrape, 0 when PostgreSQL failed"
        )
