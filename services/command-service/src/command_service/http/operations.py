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


@operations.get("/readyz")
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    """PostgreSQL reachable and migrated (required); RabbitMQ state reported (commands wait in the outbox)."""
    checks = await runtime.readiness()
    ready = checks["postgres"] == "up" and checks["schema"] == "up"
    return JSONResponse(
        {"status": "ready" if ready else "unavailable", **checks}, status_code=200 if ready else 503
    )


@operations.get("/metrics")
async def metrics(runtime: RuntimeDep) -> Response:
    """Prometheus metrics (the outbox depth and age are sampled now, when PostgreSQL answers).

    **Who may call:** an admin or a service (a scraper with a client-credentials token)."""
    if runtime.schema_ready.is_set():
        with contextlib.suppress(Exception):  # metrics still answer while PostgreSQL is down
            OUTBOX_DEPTH.set((sample := await runtime.sample_outbox())[0])
            OUTBOX_OLDEST_AGE.set(sample[1])
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
