"""The HTTP side of the services that run consumers behind a few operator routes (projector, notifier):
the app, a lifespan that starts and stops the service's runtime (kept at `app.state.runtime`), the
probes, and the edge the command and query services have."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol

from fastapi import FastAPI, Request

from innkeeper_kit.auth.middleware import Access
from innkeeper_kit.auth.setup import token_verifier
from innkeeper_kit.correlation import CorrelationIdMiddleware
from innkeeper_kit.edge import guard_http_edge
from innkeeper_kit.edge_openapi import operation_id
from innkeeper_kit.health import Checks, add_health_routes
from innkeeper_kit.methods import install_routing_problems
from innkeeper_kit.settings import ServiceSettings


class Runtime(Protocol):
    """The running service the lifespan holds: its consumers and connections."""

    async def start(self) -> None:
        """Start consuming; the app answers its probes meanwhile."""

    async def stop(self) -> None:
        """Stop gracefully: the work in flight finishes (bounded), then the connections close."""


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    servers: list[dict[str, Any]],
    access: Callable[[str, str], Access],
    build_runtime: Callable[[], Awaitable[Runtime]],
    checks: Checks,
    dependencies: tuple[str, ...],
    add_routes: Callable[[FastAPI], None],
) -> FastAPI:
    """The app: `/healthz` and `/readyz` (`checks` of `dependencies`), then `add_routes`' own, behind the
    edge (token rules `access`, bounded bodies, problem answers, the correlation id). The runtime
    `build_runtime` makes is started before the first request, once the token keys are fetched."""
    verifier = token_verifier(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if verifier is not None:
            await verifier.warm()
        runtime = await build_runtime()
        await runtime.start()
        app.state.runtime = runtime
        yield
        await runtime.stop()

    app = FastAPI(title=title, servers=servers, generate_unique_id_function=operation_id, lifespan=lifespan)
    add_health_routes(app, checks, *dependencies)
    add_routes(app)
    install_routing_problems(app)
    guard_http_edge(app, settings, verifier, access)
    app.add_middleware(CorrelationIdMiddleware)
    return app


def app_runtime(request: Request) -> Any:
    """The runtime the lifespan started (a FastAPI dependency: `Annotated[MyRuntime, Depends(...)]`)."""
    return request.app.state.runtime
