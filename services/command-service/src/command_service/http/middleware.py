"""Correlation id: taken from `X-Correlation-Id` (or made up), bound to logs, sent back."""

from __future__ import annotations

from uuid import uuid4

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-correlation-id"
MAX_LENGTH = 200


class CorrelationIdMiddleware:
    """Pure ASGI middleware (cheaper than BaseHTTPMiddleware on the hot path)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((value for name, value in scope["headers"] if name == HEADER), b"")
        correlation_id = given.decode("latin-1").strip()[:MAX_LENGTH] or uuid4().hex
        scope.setdefault("state", {})["correlation_id"] = correlation_id

        async def send_with_correlation_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (HEADER, correlation_id.encode("latin-1"))]
            await send(message)

        # bind + reset by token: `bound_contextvars` copies the whole context on every request.
        tokens = structlog.contextvars.bind_contextvars(correlation_id=correlation_id)
        try:
            await self.app(scope, receive, send_with_correlation_id)
        finally:
            structlog.contextvars.reset_contextvars(**tokens)
