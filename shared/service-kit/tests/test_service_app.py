"""`create_service_app`: the runtime started and stopped by the lifespan, the probes, `/metrics` for
operators only, and the edge around the service's own routes."""

from __future__ import annotations

import httpx
from fastapi import FastAPI, Request
from prometheus_client import CollectorRegistry, Counter

from innkeeper_kit.auth.middleware import path_rules
from innkeeper_kit.metrics import add_metrics_route
from innkeeper_kit.service_app import app_runtime, create_service_app
from innkeeper_kit.settings import ServiceSettings


class FakeRuntime:
    def __init__(self) -> None:
        self.steps: list[str] = []
        self.broker = True

    async def start(self) -> None:
        self.steps.append("start")

    async def stop(self) -> None:
        self.steps.append("stop")


def service_app(runtime: FakeRuntime, registry: CollectorRegistry) -> FastAPI:
    async def build() -> FakeRuntime:
        return runtime

    async def checks(request: Request) -> dict[str, bool]:
        return {"rabbitmq": app_runtime(request).broker, "postgres": True}

    async def scrape(request: Request) -> CollectorRegistry:
        return registry

    return create_service_app(
        ServiceSettings(),
        title="Innkeeper test service",
        servers=[],
        access=path_rules(anyone=["/healthz", "/readyz"], operator=["/metrics"]),
        build_runtime=build,
        checks=checks,
        dependencies=("rabbitmq", "postgres"),
        add_routes=lambda app: add_metrics_route(app, scrape, "# example\n", "What the test counts."),
    )


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service")


async def test_the_runtime_lives_as_long_as_the_app_and_the_probes_read_it() -> None:
    runtime = FakeRuntime()
    app = service_app(runtime, CollectorRegistry())
    async with app.router.lifespan_context(app), client(app) as http:
        assert runtime.steps == ["start"]
        assert app.state.runtime is runtime
        assert (await http.get("/healthz")).json() == {"status": "ok", "checks": {}}
        assert (await http.get("/readyz")).status_code == 200
        runtime.broker = False
        answer = await http.get("/readyz")
        assert answer.status_code == 503
        assert answer.json()["checks"] == {"rabbitmq": False, "postgres": True}
        assert answer.headers["Retry-After"]
    assert runtime.steps == ["start", "stop"]


async def test_metrics_are_for_operators_and_documented() -> None:
    registry = CollectorRegistry()
    Counter("test_things", "Things", registry=registry).inc()
    app = service_app(FakeRuntime(), registry)
    async with app.router.lifespan_context(app), client(app) as http:
        refused = await http.get("/metrics")
        assert refused.status_code == 401
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "X-Correlation-Id" in refused.headers
    operation = app.openapi()["paths"]["/metrics"]["get"]
    assert operation["operationId"] == "getMetrics"
    assert operation["description"] == "What the test counts."
    assert operation["security"] == [{"bearerAuth": []}]
