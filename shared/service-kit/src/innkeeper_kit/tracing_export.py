"""The SDK side of `innkeeper_kit.tracing`, imported only when tracing is turned on: the provider, the
OTLP/HTTP batch exporter behind a processor that can be stopped and restarted, and the driver
instrumentations."""

from __future__ import annotations

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter


class SwappableProcessor(SpanProcessor):
    """A batch processor that can be stopped (flushed, exporter closed) and later given a new exporter.

    The global provider can be installed once per process; an app's stop must still flush its spans,
    and the next app built in the same process (tests) must export again."""

    def __init__(self) -> None:
        self._batch: BatchSpanProcessor | None = None

    @property
    def exporting(self) -> bool:
        return self._batch is not None

    def export_to(self, exporter: SpanExporter) -> None:
        self._batch = BatchSpanProcessor(exporter)  # OTEL_BSP_* honoured

    def stop_exporting(self) -> None:
        batch, self._batch = self._batch, None
        if batch is not None:
            batch.shutdown()  # type: ignore[no-untyped-call]  # exports what is queued first

    def on_start(self, span: Span, parent_context: otel_context.Context | None = None) -> None:
        if self._batch is not None:
            self._batch.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        if self._batch is not None:
            self._batch.on_end(span)

    def shutdown(self) -> None:
        self.stop_exporting()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._batch.force_flush(timeout_millis) if self._batch is not None else True


def install_provider(service: str) -> tuple[TracerProvider, SwappableProcessor]:
    """The global SDK provider (sampler from OTEL_TRACES_SAMPLER, parent-based always-on by default)."""
    resource = Resource.create()  # OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME
    if str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: service}))
    provider = TracerProvider(resource=resource)
    processor = SwappableProcessor()
    provider.add_span_processor(processor)
    trace.set_tracer_provider(provider)
    return provider, processor


def new_exporter(endpoint: str) -> OTLPSpanExporter:
    return OTLPSpanExporter(endpoint=endpoint)


def instrument_drivers() -> None:
    """Client spans for asyncpg queries and MongoDB commands. PyMongo's listener reaches only the
    clients created after this, so `configure_tracing` runs before a service connects."""
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.instrumentation.pymongo import PymongoInstrumentor

    for instrumentor in (AsyncPGInstrumentor(), PymongoInstrumentor()):  # type: ignore[no-untyped-call]
        if not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument()
