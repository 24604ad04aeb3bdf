"""Prometheus metrics of the query service, in a registry per app (so several apps can share a process),
with the process, platform and garbage-collector metrics every service exports."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from innkeeper_kit.metrics import process_registry

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)


class Metrics:
    """Query latency by route, read-your-writes waits and their outcome, stale answers, freshness."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or process_registry()
        self.request_seconds = Histogram(
            "innkeeper_query_request_seconds",
            "Time to answer an HTTP request, by route template, method and status.",
            ["route", "method", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.consistency_waits = Counter(
            "innkeeper_query_consistency_waits_total",
            "Requests that carried a consistency token, by outcome (immediate, waited, timeout; stale"
            " at once: unreachable, ahead, capped).",
            ["outcome"],
            registry=self.registry,
        )
        self.consistency_wait_seconds = Histogram(
            "innkeeper_query_consistency_wait_seconds",
            "Time spent waiting for the projector to reach a consistency token.",
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5),
            registry=self.registry,
        )
        self.consistency_waiting = Gauge(
            "innkeeper_query_consistency_waiting",
            "Requests waiting for the projector to reach their consistency token right now.",
            registry=self.registry,
        )
        self.stale_answers = Counter(
            "innkeeper_query_stale_answers_total",
            "Answers sent before the read model reached the request's consistency token.",
            registry=self.registry,
        )
        self.read_model_position = Gauge(
            "innkeeper_query_read_model_position",
            "Highest global position the projector had applied, as last seen by this process.",
            registry=self.registry,
        )
