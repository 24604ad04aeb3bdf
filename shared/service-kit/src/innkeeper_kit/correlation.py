"""Correlation id: taken from `X-Correlation-Id` when it has the kit's format (else a new one), bound to
logs (and so to every problem answer), sent back on every answer. The outermost middleware of a service
whose edge needs nothing more per request (the query service's own also times each request)."""

from __future__ import annotations

import structlog
from starlette.types import Message, Receive, Scope, Send

from innkeeper_kit.asgi import HttpMiddleware
from innkeeper_kit.identifiers import CORRELATION_HEADER, correlation_id_of

HEADER = CORRELATION_HEADER.lower().encode()


class CorrelationIdMiddleware(HttpMiddleware):
    """Binds and echoes each request's correlation id."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        correlation_id = correlation_id_of(scope["headers"])
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        echoed = (HEADER, correlation_id.encode("latin-1"))

        async def send_with_correlation_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), echoed]
            await send(message)

        # bind + reset by token: `bound_contextvars` copies the whole context on every request.
        tokens = structlog.contextvars.bind_contextvars(correlation_id=correlation_id)
        try:
            await self.app(scope, receive, send_with_correlation_id)
        finally:
            structlog.contextvars.reset_contextvars(**tokens)
