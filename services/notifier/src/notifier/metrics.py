"""Prometheus metrics of the notifier (the default registry: the `process_*` ones come along)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram


class Metrics:
    """Deliveries by channel and outcome, the events taken in, and the backlog read at each scrape."""

    def __init__(self) -> None:
        self.deliveries = Counter(
            "innkeeper_notifier_deliveries_total",
            "Send attempts by channel and outcome (delivered, retried, failed, undeliverable)",
            ["channel", "outcome"],
        )
        self.events = Counter(
            "innkeeper_notifier_events_received_total", "Events taken in, by type", ["event_type"]
        )
        self.dead_lettered = Counter(
            "innkeeper_notifier_messages_dead_lettered_total",
            "Messages that are not valid events, dead-lettered",
        )
        self.send_seconds = Histogram(
            "innkeeper_notifier_send_seconds", "Time of one send attempt", ["channel"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )  # fmt: skip
        self.open = Gauge("innkeeper_notifier_open_deliveries", "Deliveries not yet delivered nor failed")
        self.retry_backlog = Gauge(
            "innkeeper_notifier_retry_backlog", "Open deliveries waiting for another attempt"
        )
        self.failed = Gauge(
            "innkeeper_notifier_failed_deliveries", "Dead-lettered deliveries an operator can retry"
        )
        self.oldest = Gauge(
            "innkeeper_notifier_oldest_undelivered_seconds", "Age of the oldest open delivery"
        )
        self.store_up = Gauge(
            "innkeeper_notifier_store_up",
            "1 when the gauges above were read at this scrape, 0 when PostgreSQL failed",
        )


METRICS = Metrics()
