"""The HTTP edge assembled on the app: routes, problem answers, the OpenAPI additions and the middleware.

Middleware added later is outer. From the outside in: the correlation id is bound (and echoed on every
answer) before anything else runs; CORS wraps the rest, so a browser can read any refusal; an
unexpected error becomes a 500 problem there; a body over the limit or too slow to arrive is refused
before the token is looked at; the token check runs last, before the routes.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from command_service.http.ops import ACCESS, ops
from command_service.http.problems import install_problem_handlers
from command_service.http.routes import commands
from command_service.settings import Settings
from innkeeper_kit.auth.verifier import TokenVerifier
from innkeeper_kit.correlation import CorrelationIdMiddleware
from innkeeper_kit.edge import guard_http_edge
from innkeeper_kit.edge_openapi import local_servers


def install_http_edge(app: FastAPI, settings: Settings, verifier: TokenVerifier | None) -> None:
    # The routers' routes go on the app itself: an included router (FastAPI 0.165) re-derives its
    # routes' effective context on every request (~50 us of a command's CPU here). The routes already
    # carry their router's tags and responses: the OpenAPI document is the same (make docs-check).
    app.router.routes.extend([*commands.routes, *ops.routes])
    app.servers = local_servers(settings.port, "COMMAND_PORT", "COMMAND_HTTP_PORT")
    app.state.query_service_public_url = settings.query_service_public_url  # for a 202's `Location`
    install_problem_handlers(app)
    guard_http_edge(app, settings, verifier, ACCESS)
    if settings.cors_origin_list:  # browsers on other origins may send commands (POST, and one PUT)
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_methods=["POST", "PUT"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Correlation-Id"],
            expose_headers=["X-Correlation-Id", "Retry-After"],
            max_age=600,
        )
    app.add_middleware(CorrelationIdMiddleware)
