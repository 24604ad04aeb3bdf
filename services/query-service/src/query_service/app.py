"""Composition root: picks the read store (MongoDB unless told otherwise), builds the consistency gate,
the body cache and the FastAPI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from innkeeper_kit.auth.middleware import path_rules
from innkeeper_kit.auth.setup import token_verifier
from innkeeper_kit.edge import guard_http_edge
from innkeeper_kit.edge_openapi import local_servers, operation_id
from innkeeper_kit.garbage_collector import freeze_startup_heap
from innkeeper_kit.metrics import add_metrics_route
from innkeeper_kit.tracing import configure_tracing, instrument_app, shutdown_tracing

from .api import bookings, hotels, ops, problems
from .api.context import Runtime
from .api.middleware import RequestMiddleware
from .body_cache import BodyCache
from .consistency import TOKEN_HEADER, ConsistencyGate, wait_bounds
from .logs import SERVICE
from .metrics import Metrics
from .read_model import ReadStore
from .settings import Settings, load_settings
from .store.mongo import MONGODB

DESCRIPTION = """Read side of Innkeeper: every answer is one indexed lookup on a MongoDB read document.

Send `X-Consistency-Token` (from a command answer) to read your own write: the answer waits, bounded,
until the projector has applied it. `X-Consistency` says `caught-up`, `stale` (the bound passed) or
`eventual` (no token); `X-Read-Model-Position` is the projector's highest applied global position.

The catalogue (`/hotels`, a hotel, its availability) is public. Bookings, a guest's bookings and the
management alerts need a bearer token: a guest reads their own, staff those of their hotels, an admin
everything; answers that carry personal data are `Cache-Control: no-store`."""

ACCESS = path_rules(
    anyone=[r"/hotels", r"/hotels/[^/]+", r"/hotels/[^/]+/availability", "/healthz", "/readyz"],
    operator=["/metrics"],
)
"""The public catalogue and the probes are open; metrics are for operators; the rest needs a caller."""

EXPOSED_HEADERS = [
    "ETag",
    "X-Consistency",
    "X-Read-Model-Position",
    "X-Consistency-Waited-Ms",
    "X-Correlation-Id",
    "Retry-After",
]


def create_app(settings: Settings | None = None, store: ReadStore = MONGODB) -> FastAPI:
    """The query API on `store`, opened in the lifespan: nothing connects at import or build time."""
    settings = settings or load_settings()
    # Only with an OTLP endpoint; before the store opens, so PyMongo's listener sees its client.
    configure_tracing(SERVICE)
    metrics = Metrics()
    verifier = token_verifier(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if verifier is not None:
            await verifier.warm()
        read_model = store.open(settings)
        consistency_gate = ConsistencyGate(read_model, read_model, metrics, wait_bounds(settings))
        body_cache = BodyCache(settings.body_cache_bytes)
        app.state.runtime = Runtime(settings, read_model, consistency_gate, metrics, body_cache)
        # Under read load a full collection ran every ~0.5 s over the whole startup heap: 35-160 ms pauses.
        restore_garbage_collector = freeze_startup_heap()
        try:
            yield
        finally:
            restore_garbage_collector()
            await consistency_gate.close()
            await read_model.close()
            shutdown_tracing()

    app = FastAPI(
        title="Innkeeper query API",
        version="0.1.0",
        description=DESCRIPTION,
        servers=local_servers(settings.port, "QUERY_PORT", "QUERY_HTTP_PORT"),
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    for router in (hotels.router, bookings.router, ops.router):
        # The routes themselves, not `include_router`: since FastAPI 0.137 an included router stays a
        # nested node that matches every request twice (12 % of a hotel read's own instructions).
        app.router.routes.extend(router.routes)
    add_metrics_route(app, ops.scrape, ops.METRICS_EXAMPLE, ops.METRICS_DESCRIPTION)
    problems.install(app, store.unreachable)
    # From the outside in: the request middleware binds the correlation id before anything runs; CORS
    # wraps the rest (a browser can read any refusal); then the kit's guard (500s, body bounds, token).
    guard_http_edge(app, settings, verifier, ACCESS)
    if settings.cors_origin_list:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_methods=["GET"],
            allow_headers=["Authorization", TOKEN_HEADER, "If-None-Match", "X-Correlation-Id"],
            expose_headers=EXPOSED_HEADERS,
            max_age=600,
        )
    app.add_middleware(RequestMiddleware, metrics=metrics)
    instrument_app(app)
    return app
