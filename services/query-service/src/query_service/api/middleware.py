"""Pure ASGI middleware: correlation id in (the kit's format, else a new one) and out, request latency
by route template, and a log line for the answers an operator needs to see (errors, client errors, slow
answers)."""

from __future__ import annotations

import time

import structlog
from prometheus_client import Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from structlog.typing import FilteringBoundLogger

from innkeeper_kit.identifiers import CORRELATION_HEADER, correlation_id_of
from query_service.metrics import Metrics

CORRELATION_NAME = CORRELATION_HEADER.lower().encode()
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})  # probes and scrapes: not worth a line
LOGGER_NAME = "query_service.requests"
SLOW_SECONDS = 0.5  # an answer this slow is logged at WARNING, whatever its status


class RequestMiddleware:
    """Binds the correlation id for logs, echoes it, and times each request by its route template."""

    def __init__(self, app: ASGIApp, metrics: Metrics, slow_seconds: float = SLOW_SECONDS) -> None:
        self.app, self.metrics, self.slow_seconds = app, metrics, slow_seconds
        # Bound once, when the app first runs (logging is configured by then): a module-level lazy
        # proxy assembles a bound logger on every call, ~1 us even when the level filters it out.
        self.log: FilteringBoundLogger = structlog.get_logger(LOGGER_NAME).bind()
        # Children of the latency histogram by label values: `labels()` takes a lock and checks its
        # arguments on every call, for a handful of distinct combinations.
        self._latency: dict[tuple[str, str, int], Histogram] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation = correlation_id_of(scope["headers"])
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(correlation_id=correlation)
        echoed = (CORRELATION_NAME, correlation.encode("latin-1"))
        status, started = 500, time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), echoed]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            elapsed = time.perf_counter() - started
            self.latency(template, scope["method"], status).observe(elapsed)
            if template not in QUIET_ROUTES:
                log_answer(self.log, template, status, elapsed, self.slow_seconds)

    def latency(self, template: str, method: str, status: int) -> Histogram:
        key = (template, method, status)
        child = self._latency.get(key)
        if child is None:
            child = self._latency[key] = self.metrics.request_seconds.labels(template, method, str(status))
        return child


def log_answer(
    log: FilteringBoundLogger, route: str, status: int, seconds: float, slow_seconds: float
) -> None:
    """`query.answered`: WARNING for a 5xx or an answer slower than `slow_seconds`, INFO for a 4xx,
    DEBUG for the rest. Counts and latency of every answer are in the metrics; rendering and writing a
    line for each good read was ~15 % of a hotel read's instructions at LOG_LEVEL=INFO."""
    ms = round(seconds * 1000, 2)
    if seconds >= slow_seconds:
        log.warning("query.answered", route=route, status=status, ms=ms, slow=True)
    elif status >= 500:
        log.warning("query.answered", route=route, status=status, ms=ms)
    elif status >= 400:
        log.info("query.answered", route=route, status=status, ms=ms)
    else:
        log.debug("query.answered", route=route, status=status, ms=ms)
