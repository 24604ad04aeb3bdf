"""HTTP side of the notifier (port 8004): `/healthz`, `/readyz` open; `/metrics` for operators (an admin
or a service token). The edge is the other services' (`innkeeper_kit`)."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI, Request
from prometheus_client import CollectorRegistry

from innkeeper_kit.auth.middleware import path_rules
from innkeeper_kit.edge_openapi import local_servers
from innkeeper_kit.health import PROBE_SECONDS, reachable
from innkeeper_kit.metrics import add_metrics_route
from innkeeper_kit.service_app import app_runtime, create_service_app
from innkeeper_kit.tracing import configure_tracing, instrument_app, untraced_drivers

from .logs import SERVICE
from .runtime import Runtime, build_runtime
from .settings import Settings

ACCESS = path_rules(anyone=["/healthz", "/readyz"], operator=["/metrics"])
METRICS_EXAMPLE = (
    "# TYPE innkeeper_notifier_events_received_total counter\n"
    'innkeeper_notifier_events_received_total{event_type="RefundIssued"} 3.0\n'
)
METRICS_DESCRIPTION = (
    "Deliveries by channel and outcome; the backlog gauges are read from the store at each scrape."
)


def create_app(settings: Settings) -> FastAPI:
    configure_tracing(SERVICE)  # before the runtime's clients exist: their calls are traced (if on)
    app = create_service_app(
        settings,
        title="Innkeeper notifier",
        servers=local_servers(settings.port, "NOTIFIER_PORT", "NOTIFIER_HTTP_PORT"),
        access=ACCESS,
        build_runtime=lambda: build_runtime(settings),
        checks=ready,
        dependencies=("rabbitmq", "postgres"),
        add_routes=lambda app: add_metrics_route(app, scrape, METRICS_EXAMPLE, METRICS_DESCRIPTION),
    )
    instrument_app(app)
    return app


async def ready(request: Request) -> dict[str, bool]:
    runtime: Runtime = app_runtime(request)
    with untraced_drivers():  # a probe is not traced: each would be a trace of its own
        return {
            "rabbitmq": runtime.broker_ready(),
            "postgres": await reachable(runtime.store.pool.fetchval("SELECT 1")),
        }


async def scrape(request: Request) -> CollectorRegistry:
    """The runtime's registry, with the backlog gauges read from the store."""
    runtime: Runtime = app_runtime(request)
    metrics = runtime.metrics
    try:  # metrics still answer while PostgreSQL is away; the gauges say they are old
        with untraced_drivers():  # nor is a scrape
            async with asyncio.timeout(PROBE_SECONDS):
                backlog = await runtime.store.backlog()
    except Exception:
        metrics.store_up.set(0)
    else:
        metrics.store_up.set(1)
        metrics.open.set(backlog["open"])
        metrics.retry_backlog.set(backlog["retrying"])
        metrics.failed.set(backlog["failed"])
        metrics.oldest.set(backlog["oldest_seconds"])
    return metrics.registry
