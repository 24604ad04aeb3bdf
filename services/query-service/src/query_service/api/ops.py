"""Operations: liveness, readiness (MongoDB reachable) and Prometheus metrics."""

from __future__ import annotations

import structlog
from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pymongo.errors import PyMongoError

from innkeeper_kit.problems import RETRY_AFTER_SECONDS
from query_service.models import Health

from .context import ServicesDep

router = APIRouter(tags=["operations"])
log = structlog.get_logger()


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is alive."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}})
async def readyz(found: ServicesDep) -> Response:
    """MongoDB answers: this replica can take traffic."""
    try:
        await found.read_model.ping()
    except PyMongoError as error:
        log.warning("not ready", error=repr(error))
        body = Health(status="unavailable", detail="MongoDB unreachable")
        retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        return JSONResponse(body.model_dump(mode="json"), status_code=503, headers=retry)
    return JSONResponse(Health(status="ok").model_dump(mode="json"))


@router.get("/metrics", include_in_schema=False)
async def metrics(found: ServicesDep) -> Response:
    return Response(generate_latest(found.metrics.registry), media_type=CONTENT_TYPE_LATEST)
