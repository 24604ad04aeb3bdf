"""HTTP side of the projector: `/status`, `/metrics`, `/healthz`, `/readyz` (port 8003).

The probes are open; the status and the metrics are for operators (an admin or a service token)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from innkeeper_kit.auth.middleware import BearerAuthMiddleware, path_rules
from innkeeper_kit.auth.openapi import document_bearer_auth
from innkeeper_kit.auth.setup import token_verifier

from .bootstrap import Components, Projector
from .metrics import METRICS
from .settings import Settings
from .status import Lag, lag_report


class Health(BaseModel):
    """Whether the process (or its dependencies) are fine."""

    status: str
    checks: dict[str, bool] = {}


ACCESS = path_rules(anyone=["/healthz", "/readyz"], operator=["/status", "/metrics"])


def create_app(settings: Settings) -> FastAPI:
    verifier = token_verifier(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if verifier is not None:
            await verifier.warm()
        projector = Projector(await Components.build(settings))
        await projector.start()
        app.state.projector = projector
        yield
        await projector.stop()

    app = FastAPI(title="Innkeeper projector", lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> Health:
        return Health(status="ok")

    @app.get("/readyz", response_model=Health)
    async def readyz(projector: ProjectorDep) -> Response:
        checks = {"rabbitmq": projector.broker_ready(), "mongodb": await _mongo_ok(projector)}
        body = Health(status="ok" if all(checks.values()) else "unavailable", checks=checks)
        return JSONResponse(body.model_dump(), status_code=200 if all(checks.values()) else 503)

    @app.get("/status")
    async def status(projector: ProjectorDep) -> ProjectorStatus:
        """Position per shard, lag behind the event log, generations and parked events."""
        return await _status(projector)

    @app.get("/metrics")
    async def metrics(projector: ProjectorDep) -> Response:
        with contextlib.suppress(Exception):  # metrics still answer while a dependency is down
            await _status(projector)  # refreshes the lag gauges
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    document_bearer_auth(app, ACCESS)
    app.add_middleware(BearerAuthMiddleware, verifier=verifier, access=ACCESS)
    return app


def _projector(request: Request) -> Projector:
    projector: Projector = request.app.state.projector
    return projector


ProjectorDep = Annotated[Projector, Depends(_projector)]


async def _mongo_ok(projector: Projector) -> bool:
    try:  # bounded: the driver would otherwise wait for server selection (30 s by default)
        await asyncio.wait_for(projector.parts.client.admin.command("ping"), 2)
    except Exception:
        return False
    return True


async def _status(projector: Projector) -> ProjectorStatus:
    parts = projector.parts
    lag = await lag_report(parts.status, parts.events)
    generations = await parts.registry.current()
    parked = await parts.parking.count()
    METRICS.lag_events.set(lag.lag_events)
    METRICS.lag_seconds.set(lag.lag_seconds)
    METRICS.parked_now.set(parked)
    return ProjectorStatus(
        **lag.model_dump(), generation=generations.active, rebuilding=generations.building, parked=parked
    )


class ProjectorStatus(Lag):
    """The projector's position and lag, the generation readers use, and the parking lot size."""

    generation: str
    rebuilding: str | None
    parked: int
