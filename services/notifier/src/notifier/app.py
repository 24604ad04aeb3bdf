"""HTTP side of the notifier (port 8004): `/healthz`, `/readyz` open; `/metrics` for operators (an admin
or a service token). The edge is the other services' (`innkeeper_kit`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from innkeeper_kit.auth.middleware import path_rules
from innkeeper_kit.auth.setup import token_verifier
from innkeeper_kit.correlation import CorrelationIdMiddleware
from innkeeper_kit.edge import guard_http_edge
from innkeeper_kit.edge_openapi import local_servers, operation_id
from innkeeper_kit.health import OPERATIONS, add_health_routes
from innkeeper_kit.methods import install_routing_problems

from .bootstrap import Notifier
from .metrics import METRICS
from .settings import Settings

PROBE_SECONDS = 2.0
ACCESS = path_rules(anyone=["/healthz", "/readyz"], operator=["/metrics"])
METRICS_EXAMPLE = (
    '# TYPE notifier_events_total counter\nnotifier_events_total{event_type="RefundIssued"} 3.0\n'
)
_PROMETHEUS_TEXT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/plain": {"schema": {"type": "string"}, "example": METRICS_EXAMPLE}}}
}


def create_app(settings: Settings) -> FastAPI:
    verifier = token_verifier(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if verifier is not None:
            await verifier.warm()
        notifier = await Notifier.connect(settings)
        await notifier.start()
        app.state.notifier = notifier
        yield
        await notifier.stop()

    app = FastAPI(
        title="Innkeeper notifier",
        servers=local_servers(settings.port, "NOTIFIER_PORT", "NOTIFIER_HTTP_PORT"),
        generate_unique_id_function=operation_id,
        lifespan=lifespan,
    )

    async def ready(request: Request) -> dict[str, bool]:
        notifier = _notifier(request)
        return {"rabbitmq": notifier.broker_ready(), "postgres": await _postgres_ok(notifier)}

    add_health_routes(app, ready, "rabbitmq", "postgres")

    @app.get(
        "/metrics",
        name="get_metrics",
        summary="Prometheus metrics",
        tags=OPERATIONS,
        response_class=Response,
        responses=_PROMETHEUS_TEXT,
    )
    async def metrics(notifier: NotifierDep) -> Response:
        """Deliveries by channel and outcome; the backlog gauges are read from the store at each scrape."""
        try:  # metrics still answer while PostgreSQL is away; the gauges say they are old
            async with asyncio.timeout(PROBE_SECONDS):
                backlog = await notifier.store.backlog()
        except Exception:
            METRICS.store_up.set(0)
        else:
            METRICS.store_up.set(1)
            METRICS.open.set(backlog["open"])
            METRICS.retry_backlog.set(backlog["retrying"])
            METRICS.failed.set(backlog["failed"])
            METRICS.oldest.set(backlog["oldest_seconds"])
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    install_routing_problems(app)
    guard_http_edge(app, settings, verifier, ACCESS)
    app.add_middleware(CorrelationIdMiddleware)
    return app


def _notifier(request: Request) -> Notifier:
    notifier: Notifier = request.app.state.notifier
    return notifier


NotifierDep = Annotated[Notifier, Depends(_notifier)]


async def _postgres_ok(notifier: Notifier) -> bool:
    try:
        async with asyncio.timeout(PROBE_SECONDS):
            await notifier.store.pool.fetchval("SELECT 1")
    except Exception:
        return False
    return True
