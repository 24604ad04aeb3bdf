"""HTTP side of the projector: `/status`, `/metrics`, `/healthz`, `/readyz` (port 8003).

The probes are open; the status and the metrics are for operators (an admin or a service token). The
edge is the command and query services' (`innkeeper_kit`): every refusal a problem with the correlation
id, 405 with `Allow`, bounded bodies, a catch-all 500, `Retry-After` on every 503. What the status reads
is bounded in time (`report`).
"""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

import structlog
from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry

from innkeeper_kit.auth.middleware import path_rules
from innkeeper_kit.edge_openapi import EDGE_PROBLEM, local_servers
from innkeeper_kit.health import OPERATIONS, example, reachable
from innkeeper_kit.metrics import add_metrics_route
from innkeeper_kit.problems import RETRY_AFTER_SECONDS, instance_of, problem_response
from innkeeper_kit.service_app import app_runtime, create_service_app
from innkeeper_kit.tracing import configure_tracing, instrument_app, untraced_drivers

from .bootstrap import build_runtime
from .logs import SERVICE
from .report import STATUS_EXAMPLE, STATUS_SECONDS, ProjectorStatus, status_report
from .runtime import Runtime
from .settings import Settings

RETRY = {"Retry-After": str(RETRY_AFTER_SECONDS)}
log = structlog.get_logger("projector")


METRICS_EXAMPLE = (
    "# TYPE innkeeper_projector_events_applied_total gauge\ninnkeeper_projector_events_applied_total 0.0\n"
)


ACCESS = path_rules(anyone=["/healthz", "/readyz"], operator=["/status", "/metrics"])
_UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"description": "MongoDB or PostgreSQL did not answer in time.", "content": EDGE_PROBLEM}
}
RuntimeDep = Annotated[Runtime, Depends(app_runtime)]


def create_app(settings: Settings) -> FastAPI:
    configure_tracing(SERVICE)  # before the runtime's clients exist: their calls are traced (if on)
    app = create_service_app(
        settings,
        title="Innkeeper projector",
        servers=local_servers(settings.port, "PROJECTOR_PORT", "PROJECTOR_HTTP_PORT"),
        access=ACCESS,
        build_runtime=lambda: build_runtime(settings),
        checks=ready,
        dependencies=("rabbitmq", "mongodb"),
        add_routes=add_routes,
    )
    instrument_app(app)
    return app


async def ready(request: Request) -> dict[str, bool]:
    runtime: Runtime = app_runtime(request)
    with untraced_drivers():  # a probe is not traced: each would be a trace of its own
        return {
            "rabbitmq": runtime.broker_ready(),
            "mongodb": await reachable(runtime.store.connection.ping()),
        }


def add_routes(app: FastAPI) -> None:
    @app.get(
        "/status",
        name="get_status",
        summary="Where the projector is",
        tags=OPERATIONS,
        response_model=ProjectorStatus,
        responses=_UNAVAILABLE | example(STATUS_EXAMPLE),
    )
    async def status(request: Request, runtime: RuntimeDep) -> Response:
        """Position per shard, lag behind the event log, generations and parked events."""
        try:
            report = await status_report(runtime)
        except runtime.failures.infrastructure as error:  # timeouts too: TimeoutError is an OSError
            log.warning("status.unavailable", error=repr(error))
            detail = f"MongoDB or PostgreSQL did not answer within {STATUS_SECONDS:g} s; retry shortly"
            return problem_response(503, "unavailable", detail, RETRY, instance=instance_of(request.scope))
        return JSONResponse(report.model_dump(mode="json"))

    add_metrics_route(app, scrape, METRICS_EXAMPLE)


async def scrape(request: Request) -> CollectorRegistry:
    """The process's registry, with the lag gauges refreshed (metrics answer while a dependency is down)."""
    runtime: Runtime = app_runtime(request)
    with contextlib.suppress(Exception), untraced_drivers():  # nor is a scrape
        await status_report(runtime)
    return runtime.metrics.registry
