"""Operations: liveness, readiness (the read store answers), and what Prometheus scrapes (the kit's route).

Not the kit's `add_health_routes`: this service's published health answer has its own shape (a `detail`,
not per-dependency `checks`), and moving to the kit's would change the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry

from innkeeper_kit.edge_openapi import operation_id
from innkeeper_kit.problems import RETRY_AFTER_SECONDS
from query_service.models import Health

from .context import RuntimeDep
from .examples import HEALTHY, with_example

router = APIRouter(tags=["operations"], generate_unique_id_function=operation_id)

_NOT_READY = Health(status="unavailable", detail="MongoDB unreachable")
_READINESS = {
    **with_example({}, HEALTHY),
    503: {"model": Health, "content": {"application/json": {"example": _NOT_READY.model_dump(mode="json")}}},
}
METRICS_EXAMPLE = (
    "# TYPE innkeeper_query_stale_answers_total counter\ninnkeeper_query_stale_answers_total 0.0\n"
)
METRICS_DESCRIPTION = """Prometheus metrics of this replica.

**Who may call:** an admin or a service (a scraper with a client-credentials token)."""


async def healthz() -> Health:
    """The process is alive."""
    return Health(status="ok")


async def readyz(found: RuntimeDep) -> Response:
    """MongoDB answers: this replica can take traffic."""
    if await found.read_model.reachable():
        return JSONResponse(Health(status="ok").model_dump(mode="json"))
    retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return JSONResponse(_NOT_READY.model_dump(mode="json"), status_code=503, headers=retry)


async def scrape(request: Request) -> CollectorRegistry:
    """The registry `/metrics` answers with: this app's (nothing is read at scrape time)."""
    registry: CollectorRegistry = request.app.state.runtime.metrics.registry
    return registry


_PROBES: list[tuple[str, Callable[..., Any], str, str, dict[int | str, dict[str, Any]]]] = [
    ("/healthz", healthz, "get_health", "Is the process alive?", with_example({}, HEALTHY)),
    ("/readyz", readyz, "get_readiness", "Can this replica take traffic?", _READINESS),
]
for path, endpoint, name, summary, answers in _PROBES:
    router.add_api_route(path, endpoint, name=name, summary=summary, response_model=Health, responses=answers)
