"""What the services' metrics have alike: a registry of their own, so nothing registers at import, and
the `/metrics` route of the services that have few other routes (projector, notifier)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    generate_latest,
)

from innkeeper_kit.health import OPERATIONS


def process_registry() -> CollectorRegistry:
    """A registry with the garbage-collector, platform and process metrics the default one has, in its
    order (the collectors read the process only when scraped): `/metrics` answers as from the default."""
    registry = CollectorRegistry()
    for collector in (GC_COLLECTOR, PLATFORM_COLLECTOR, PROCESS_COLLECTOR):
        registry.register(collector)
    return registry


def prometheus_text(example: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI answer of `/metrics`: Prometheus's text format, with this example."""
    return {200: {"content": {"text/plain": {"schema": {"type": "string"}, "example": example}}}}


def add_metrics_route(
    app: FastAPI,
    scrape: Callable[[Request], Awaitable[CollectorRegistry]],
    example: str,
    description: str | None = None,
) -> None:
    """`/metrics` for operators: the registry `scrape` returns, once it has refreshed what is read at
    each scrape (`scrape` answers even when a dependency is down)."""

    @app.get(
        "/metrics",
        name="get_metrics",
        summary="Prometheus metrics",
        description=description,
        tags=OPERATIONS,
        response_class=Response,
        responses=prometheus_text(example),
    )
    async def metrics(request: Request) -> Response:
        return Response(generate_latest(await scrape(request)), media_type=CONTENT_TYPE_LATEST)
