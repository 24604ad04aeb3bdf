"""The ops endpoints: probes (open to anyone) and metrics (for operators), and who may use which
route of the service (`ACCESS`: every command needs a caller, `application/access` says which)."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from command_service.runtime import Runtime
from innkeeper_kit.auth.middleware import path_rules
from innkeeper_kit.edge_openapi import operation_id
from innkeeper_kit.problems import RETRY_AFTER_SECONDS

ACCESS = path_rules(anyone=["/healthz", "/readyz"], operator=["/metrics"])


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
ops = APIRouter(tags=["operations"], generate_unique_id_function=operation_id)


_ALIVE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {"example": {"status": "ok"}}}}
}


@ops.get("/healthz", name="get_health", summary="Is the process alive?", responses=_ALIVE)
async def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


_READINESS_SCHEMA = {
    "type": "object",
    "required": ["status", "postgres", "schema", "rabbitmq"],
    "properties": {"status": {"type": "string", "enum": ["ready", "unavailable"]}},
    "additionalProperties": {"type": "string", "description": "`up`, `down` (RabbitMQ: or a state)"},
}
_READY = {"status": "ready", "postgres": "up", "schema": "up", "rabbitmq": "up"}
_NOT_READY = {"status": "unavailable", "postgres": "down", "schema": "up", "rabbitmq": "up"}


def _readiness(example: dict[str, str]) -> dict[str, Any]:
    return {
        "description": "`status`, and the state of each dependency",
        "content": {"application/json": {"schema": _READINESS_SCHEMA, "example": example}},
    }


@ops.get(
    "/readyz",
    name="get_readiness",
    summary="Can the service take commands?",
    responses={200: _readiness(_READY), 503: _readiness(_NOT_READY)},
)
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    """PostgreSQL reachable and migrated (required); RabbitMQ state reported (commands wait in the outbox)."""
    checks = await runtime.readiness()
    if checks["postgres"] == "up" and checks["schema"] == "up":
        return JSONResponse({"status": "ready", **checks})
    retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return JSONResponse({"status": "unavailable", **checks}, status_code=503, headers=retry)


_METRICS_EXAMPLE = "# TYPE innkeeper_outbox_depth gauge\ninnkeeper_outbox_depth 0.0\n"
_PROMETHEUS_TEXT = {
    "content": {
        CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}, "example": _METRICS_EXAMPLE}
    }
}


@ops.get(
    "/metrics",
    name="get_metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: _PROMETHEUS_TEXT},
)
async def metrics(runtime: RuntimeDep) -> Response:
    """Prometheus metrics (the outbox depth and age are sampled now, when PostgreSQL answers).

    **Who may call:** an admin or a service (a scraper with a client-credentials token)."""
    if runtime.schema_ready.is_set():
        with contextlib.suppress(Exception):  # metrics still answer while PostgreSQL is down
            runtime.metrics.outbox_depth.set((sample := await runtime.sample_outbox())[0])
            runtime.metrics.outbox_oldest_age.set(sample[1])
    return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)
