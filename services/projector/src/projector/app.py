"""HTTP side of the projector: `/status`, `/metrics`, `/healthz`, `/readyz` (port 8003).

The probes are open; the status and the metrics are for operators (an admin or a service token). The
edge is the command and query services' (`innkeeper_kit`): every refusal a problem with the correlation
id, 405 with `Allow`, bounded bodies, a catch-all 500, `Retry-After` on every 503. What the status reads
is bounded in time (`report`).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import structlog
from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from innkeeper_kit.auth.middleware import path_rules
from innkeeper_kit.auth.setup import token_verifier
from innkeeper_kit.correlation import CorrelationIdMiddleware
from innkeeper_kit.edge import guard_http_edge
from innkeeper_kit.edge_openapi import EDGE_PROBLEM, local_servers, operation_id
from innkeeper_kit.health import OPERATIONS, add_health_routes, example
from innkeeper_kit.methods import install_routing_problems
from innkeeper_kit.problems import RETRY_AFTER_SECONDS, instance_of, problem_response

from .bootstrap import build_runtime
from .report import STATUS_EXAMPLE, STATUS_SECONDS, ProjectorStatus, status_report
from .runtime import Runtime
from .settings import Settings

RETRY = {"Retry-After": str(RETRY_AFTER_SECONDS)}
log = structlog.get_logger("projector")


METRICS_EXAMPLE = "# TYPE projector_events_applied_total gauge\nprojector_events_applied_total 0.0\n"


ACCESS = path_rules(anyone=["/healthz", "/readyz"], operator=["/status", "/metrics"])
_UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"description": "MongoDB or PostgreSQL did not answer in time.", "content": EDGE_PROBLEM}
}
_PROMETHEUS_TEXT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/plain": {"schema": {"type": "string"}, "example": METRICS_EXAMPLE}}}
}


def create_app(settings: Settings) -> FastAPI:
    verifier = token_verifier(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if verifier is not None:
            await verifier.warm()
        runtime = await build_runtime(settings)
        await runtime.start()
        app.state.runtime = runtime
        yield
        await runtime.stop()

    app = FastAPI(
        title="Innkeeper projector",
        servers=local_servers(settings.port, "PROJECTOR_PORT", "PROJECTOR_HTTP_PORT"),
        generate_unique_id_function=operation_id,
        lifespan=lifespan,
    )

    async def ready(request: Request) -> dict[str, bool]:
        runtime = _runtime(request)
        return {"rabbitmq": runtime.broker_ready(), "mongodb": await runtime.store.connection.reachable(2)}

    add_health_routes(app, ready, "rabbitmq", "mongodb")

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

    @app.get(
        "/metrics",
        name="get_metrics",
        summary="Prometheus metrics",
        tags=OPERATIONS,
        response_class=Response,
        responses=_PROMETHEUS_TEXT,
    )
    async def metrics(runtime: RuntimeDep) -> Response:
        with contextlib.suppress(Exception):  # metrics still answer while a dependency is down
            await status_report(runtime)  # refreshes the lag gauges
        return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    install_routing_problems(app)
    guard_http_edge(app, settings, verifier, ACCESS)
    app.add_middleware(CorrelationIdMiddleware)
    return app


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(_runtime)]
