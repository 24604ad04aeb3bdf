"""Operations: liveness, readiness (MongoDB reachable) and Prometheus metrics."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pymongo.errors import PyMongoError

from innkeeper_kit.edge_openapi import operation_id
from innkeeper_kit.problems import RETRY_AFTER_SECONDS
from query_service.models import Health

from .context import ServicesDep
from .examples import HEALTHY, with_example

router = APIRouter(tags=["operations"], generate_unique_id_function=operation_id)
log = structlog.get_logger()


_NOT_READY = Health(status="unavailable", detail="MongoDB unreachable")
_READINESS = {
    **with_example({}, HEALTHY),
    503: {"model": Health, "content": {"application/json": {"example": _NOT_READY.model_dump(mode="json")}}},
}
_METRICS_EXAMPLE = (
    "# TYPE innkeeper_query_stale_answers_total counter\ninnkeeper_query_stale_answers_total 0.0\n"
)
_PROMETHEUS_TEXT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/plain": {"schema": {"type": "string"}, "example": _METRICS_EXAMPLE}}}
}


@router.get(
    "/healthz",
    name="get_health",
    summary="Is the process alive?",
    response_model=Health,
    responses=with_example({}, HEALTHY),
)
async def healthz() -> Health:
    """The process is alive."""
    return Health(status="ok")


@router.get(
    "/readyz",
    name="get_readiness",
    summary="Can this replica take traffic?",
    response_model=Health,
    responses=_READINESS,
)
async def readyz(found: ServicesDep) -> Response:
    """MongoDB answers: this replica can take traffic."""
    try:
        await found.read_model.ping()
    except PyMongoError as error:
        log.warning("not ready", error=repr(error))
        body = _NOT_READY
        retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        return JSONResponse(body.model_dump(mode="json"), status_code=503, headers=retry)
    return JSONResponse(Health(status="ok").model_dump(mode="json"))


@router.get(
    "/metrics",
    name="get_metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses=_PROMETHEUS_TEXT,
)
async def metrics(found: ServicesDep) -> Response:
    """Prometheus metrics of this replica.

    **Who may call:** an admin or a service (a scraper with a client-credentials token)."""
    return Response(generate_latest(found.metrics.registry), media_type=CONTENT_TYPE_LATEST)
