"""OpenTelemetry tracing, on only when an OTLP endpoint is configured.

`configure_tracing` installs the SDK (a batch exporter over OTLP/HTTP) and the asyncpg and PyMongo
instrumentations iff `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is non-empty
(compose passes an empty string when unset). Otherwise nothing is installed and every span below is the
API's no-op: `current_traceparent()` is None, so no outbox row stores one and no message carries one.
Across the broker the context travels by hand as the W3C `traceparent` header (`TRACEPARENT`).
"""

from __future__ import annotations

import os
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from innkeeper_contracts.topology import TRACEPARENT_HEADER

if TYPE_CHECKING:
    from fastapi import FastAPI
    from opentelemetry.sdk.trace import TracerProvider

    from innkeeper_kit.tracing_export import SwappableProcessor

TRACEPARENT = TRACEPARENT_HEADER
"""The W3C trace-context header: on HTTP, and as an AMQP message header."""

PROBE_URLS = "/healthz,/readyz,/health,/ready,/metrics"
"""Requests not traced unless OTEL_PYTHON_FASTAPI_EXCLUDED_URLS says otherwise: probes and scrapes."""

_PROPAGATOR = TraceContextTextMapPropagator()
_provider: TracerProvider | None = None
_processor: SwappableProcessor | None = None


def otlp_traces_endpoint() -> str | None:
    """Where spans go (the signal URL), or None when tracing is off."""
    traces = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip()
    if traces:
        return traces
    base = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()
    return f"{base.rstrip('/')}/v1/traces" if base else None


def configure_tracing(service: str) -> bool:
    """Install the tracer provider (resource `service.name` = `service` unless OTEL_SERVICE_NAME or
    OTEL_RESOURCE_ATTRIBUTES name it), the OTLP exporter and the database instrumentations, iff an
    endpoint is set; whether tracing is on. Idempotent, and after `shutdown_tracing` it starts a new
    exporter (tests build many apps in one process; the global provider can be set only once)."""
    global _provider, _processor
    endpoint = otlp_traces_endpoint()
    if endpoint is None:
        return tracing_enabled()
    from innkeeper_kit.tracing_export import install_provider, instrument_drivers, new_exporter

    if _provider is None or _processor is None:
        _provider, _processor = install_provider(service)
        instrument_drivers()
    if not _processor.exporting:
        _processor.export_to(new_exporter(endpoint))
    return True


def tracing_enabled() -> bool:
    """Whether `configure_tracing` turned tracing on (and it was not shut down since)."""
    return _processor is not None and _processor.exporting


def tracer(name: str) -> trace.Tracer:
    """A tracer of the global provider: the API's no-op one while tracing is off."""
    return trace.get_tracer(name)


def instrument_app(app: FastAPI) -> None:
    """Server spans for `app`'s requests (W3C `traceparent` honoured) when tracing is on; nothing
    otherwise. Call where the app is built, before it serves."""
    if not tracing_enabled():
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    excluded = os.environ.get("OTEL_PYTHON_FASTAPI_EXCLUDED_URLS") or PROBE_URLS
    # One server span per request: the ASGI `http send`/`http receive` spans (two to four more per
    # request) say nothing a reader of the trace needs and cost as much again.
    FastAPIInstrumentor.instrument_app(app, excluded_urls=excluded, exclude_spans=["receive", "send"])


def current_traceparent() -> str | None:
    """The current span's W3C traceparent; None when there is no valid span (always, while off)."""
    return traceparent_of(trace.get_current_span())


def traceparent_of(span: trace.Span) -> str | None:
    """`span`'s W3C traceparent (what a message it sends carries); None for a no-op span."""
    span_context = span.get_span_context()
    if not span_context.is_valid:
        return None
    return f"00-{span_context.trace_id:032x}-{span_context.span_id:016x}-{span_context.trace_flags:02x}"


def context_from(traceparent: str | bytes | None) -> otel_context.Context | None:
    """The context whose parent is `traceparent` (a header's value); None if it is absent or invalid."""
    if not traceparent:
        return None
    value = traceparent.decode("ascii", "replace") if isinstance(traceparent, bytes) else traceparent
    extracted = _PROPAGATOR.extract({TRACEPARENT: value})
    if not trace.get_current_span(extracted).get_span_context().is_valid:
        return None
    return extracted


def leave_trace() -> None:
    """From here on, the running task's spans belong to no request: for a background loop that a
    request started (a task copies its context) but that serves every request after it."""
    otel_context.attach(otel_context.Context())


@contextmanager
def untraced_drivers() -> Iterator[None]:
    """No database spans inside: for a loop that polls on its own schedule (the outbox relay), whose
    every idle poll would otherwise be a trace of its own. Spans it starts itself still are made."""
    if not tracing_enabled():
        yield
        return
    from opentelemetry.instrumentation.utils import suppress_instrumentation

    with suppress_instrumentation():
        yield


async def untraced(loop: Coroutine[Any, Any, None]) -> None:
    """Run a background loop under `untraced_drivers` (for `asyncio.create_task`)."""
    with untraced_drivers():
        await loop


def shutdown_tracing() -> None:
    """Export what is buffered and stop the exporter (the app is stopping)."""
    if _processor is not None:
        _processor.stop_exporting()
