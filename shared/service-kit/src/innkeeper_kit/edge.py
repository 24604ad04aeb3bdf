"""The guarded inner part of every service's HTTP edge, in the one order that is right.

Middleware added later wraps what was added before, so from the outside in: the catch-all 500 (an
unexpected error anywhere inside becomes a problem answer), the body bounds (a body too large or too
slow is refused before anything reads it), then the token check. A service adds what goes outside
these (CORS, its correlation-id or request middleware) after calling `guard_http_edge`.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from innkeeper_kit.auth.middleware import Access, BearerAuthMiddleware
from innkeeper_kit.auth.openapi import document_bearer_auth
from innkeeper_kit.auth.verifier import TokenVerifier
from innkeeper_kit.body_limit import BodyLimitMiddleware
from innkeeper_kit.edge_openapi import document_http_edge
from innkeeper_kit.settings import ServiceSettings
from innkeeper_kit.unexpected import UnexpectedErrorMiddleware


def guard_http_edge(
    app: FastAPI,
    settings: ServiceSettings,
    verifier: TokenVerifier | None,
    access: Callable[[str, str], Access],
) -> None:
    """Document the token rules and the edge's answers in the OpenAPI, and add the token check, the
    body bounds and the catch-all 500 around the app's routes."""
    document_bearer_auth(app, access)
    document_http_edge(app, settings)
    app.add_middleware(BearerAuthMiddleware, verifier=verifier, access=access)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_request_body_bytes,
        read_seconds=settings.request_body_timeout_seconds,
    )
    app.add_middleware(UnexpectedErrorMiddleware)
