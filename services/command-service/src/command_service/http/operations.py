"""The operational endpoints: probes (open to anyone) and metrics (for operators), and who may use which
route of the service (`ACCESS`: every command needs a caller, `application/access` says which)."""

from __future__ import annotations

import contextlib
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from command_service.metrics import OUTBOX_DEPTH, OUTBOX_OLDEST_AGE
from command_service.runtime import Runtime
from innkeeper_kit.auth.middleware import path_rules
from innkeeper_kit.problems import RETRY_AFTER_SECONDS

ACCESS = path_rules(anyone=["/healthz", "/readyz"], operator=["/metrics"])


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
operations = APIRouter(tags=["operations"])


@operations.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


_READINESS_SCHEMA = {
    "type": "object",
    "required": ["status", "postgres", "schema", "rabbitmq"],
    "properties": {"status": {"type": "string", "enum": ["ready", "unavailable"]}},
    "additionalProperties": {"type": "string", "description": "`up`, `down` (RabbitMQ: or a state)"},
}
_READINESS = {
    "description": "`status`, and the state of each dependency",
    "content": {"application/json": {"schema": _READINESS_SCHEMA}},
}


@operations.get("/readyz", responses={200: _READINESS, 503: _READINESS})
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    """PostgreSQL reachable and migrated (required); RabbitMQ state reported (commands wait in the outbox)."""
    checks = await runtime.readiness()
    if checks["postgres"] == "up" and checks["schema"] == "up":
        return JSONResponse({"status": "ready", **checks})
    retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return JSONResponse({"status": "unavailable", **checks}, status_code=503, headers=retry)


_PROMETHEUS_TEXT = {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}}}


@operations.get("/metrics", response_class=Response, responses={200: _PROMETHEUS_TEXT})
async def metrics(runtime: RuntimeDep) -> Response:
    """Prometheus metrics (the outbox depth and age are sampled now, when PostgreSQL answers).

    **Who may call:** an admin or a service (a scraper with a client-credentials token)."""
    if runtime.schema_ready.is_set():
        with contextlib.suppress(Exception):  # metrics still answer while PostgreSQL is down
            OUTBOX_DEPTH.set((sample := await runtime.sample_outbox())[0])
            OUTBOX_OLDEST_AGE.set(sample[1])
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
