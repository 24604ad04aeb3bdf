"""The health routes of the services whose probes report their dependencies one by one (projector,
notifier): `/healthz`, `/readyz`, their model and how the OpenAPI shows them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from innkeeper_kit.problems import RETRY_AFTER_SECONDS

Answers = dict[int | str, dict[str, Any]]
Checks = Callable[[Request], Awaitable[dict[str, bool]]]
"""Whether each dependency answers, by name (the names `add_health_routes` was given)."""
PROBE_SECONDS = 2.0
OPERATIONS: list[str | Enum] = ["operations"]
"""The OpenAPI tag of the routes operators and probes use."""


class Health(BaseModel):
    """Whether the process (or its dependencies) are fine."""

    status: str
    checks: dict[str, bool] = {}


def example(body: object, status: int = 200) -> Answers:
    """An OpenAPI answer with this JSON example."""
    return {status: {"content": {"application/json": {"example": body}}}}


ALIVE = example({"status": "ok", "checks": {}})
"""`/healthz`: the process answers."""


def readiness_answers(*dependencies: str) -> Answers:
    """`/readyz` in the OpenAPI: 200 when every dependency answers, 503 (the last one down) otherwise."""
    down = {name: name != dependencies[-1] for name in dependencies}
    return {
        **example({"status": "ok", "checks": dict.fromkeys(dependencies, True)}),
        503: {"model": Health, **example({"status": "unavailable", "checks": down}, 503)[503]},
    }


def readiness(checks: dict[str, bool]) -> JSONResponse:
    """The readiness answer: 200, or 503 with `Retry-After` when a dependency does not answer."""
    if all(checks.values()):
        return JSONResponse(Health(status="ok", checks=checks).model_dump())
    body = Health(status="unavailable", checks=checks).model_dump()
    return JSONResponse(body, status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def add_health_routes(app: FastAPI, checks: Checks, *dependencies: str) -> None:
    """`/healthz` (the process answers) and `/readyz` (`checks` of the named dependencies)."""

    @app.get("/healthz", name="get_health", summary="Is the process alive?", tags=OPERATIONS, responses=ALIVE)
    async def healthz() -> Health:
        return Health(status="ok")

    @app.get(
        "/readyz",
        name="get_readiness",
        summary="Are its dependencies reachable?",
        tags=OPERATIONS,
        response_model=Health,
        responses=readiness_answers(*dependencies),
    )
    async def readyz(request: Request) -> Response:
        return readiness(await checks(request))


async def reachable(probe: Awaitable[object], seconds: float = PROBE_SECONDS) -> bool:
    """Whether a dependency answers `probe` within `seconds`: bounded, because a driver would otherwise
    wait its own timeout (MongoDB's server selection: 30 s) while the prober gives up long before."""
    try:
        async with asyncio.timeout(seconds):
            await probe
    except Exception:
        return False
    return True
