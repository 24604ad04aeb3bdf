"""Pure ASGI middleware: correlation id in and out, and request latency by route template."""

from __future__ import annotations

import re
import time
import uuid

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from query_service.metrics import Metrics

CORRELATION_HEADER = "x-correlation-id"
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})  # probes and scrapes: not worth a line
log = structlog.get_logger("query_service.requests")
ACCEPTABLE_CORRELATION = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def correlation_id(scope: Scope) -> str:
    """The caller's correlation id when it is sane, else a new one."""
    for name, value in scope["headers"]:
        if name == CORRELATION_HEADER.encode():
            candidate: str = value.decode("latin-1")
            if ACCEPTABLE_CORRELATION.match(candidate):
                return candidate
    return uuid.uuid4().hex


class RequestMiddleware:
    """Binds the correlation id for logs, echoes it, and times each request by its route template."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation = correlation_id(scope)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(correlation_id=correlation)
        status, started = 500, time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Correlation-Id", correlation)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            elapsed = time.perf_counter() - started
            self.metrics.request_seconds.labels(template, scope["method"], str(status)).observe(elapsed)
            if template not in QUIET_ROUTES:
                log.info("query.answered", route=template, status=status, ms=round(elapsed * 1000, 2))
