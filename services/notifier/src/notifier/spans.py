"""The notifier's spans, made only when tracing is on (`innkeeper_kit.tracing`).

Each event taken in gets a CONSUMER span `intake <event_type>` whose parent is its message's
`traceparent` header (the relay's publish span); every delivery the event asks for keeps that span's
context in its record. The send is a span whose parent is the stored context: the mail or webhook is
in the trace of the request that caused it, however much later it goes out and however often it is
tried again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

from aio_pika.abc import AbstractIncomingMessage
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind, StatusCode
from opentelemetry.util.types import AnyValue

from innkeeper_contracts import EventEnvelope
from innkeeper_kit.tracing import TRACEPARENT, context_from, current_traceparent, tracer, tracing_enabled

from .deliveries import Delivery
from .plans import PlannedDelivery

TRACER = "notifier"
Taken = tuple[AbstractIncomingMessage, EventEnvelope, list[PlannedDelivery]]
"""A message taken in: its event, and the deliveries the event asks for."""


def intake_spans(shard: str, taken: list[Taken]) -> tuple[list[Taken], list[Span]]:
    """Each event's intake span (started; the caller ends them) and its deliveries carrying the span's
    context. Tracing off: `taken` as it is, and no span."""
    if not tracing_enabled() or not taken:
        return taken, []
    spans, traced = [], []
    for message, envelope, deliveries in taken:
        span = tracer(TRACER).start_span(
            f"intake {envelope.event_type}",
            context=context_from(header(message)),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "rabbitmq",
                "messaging.operation.type": "process",
                "messaging.message.id": str(envelope.event_id),
                "innkeeper.shard": shard,
                "innkeeper.event.type": envelope.event_type,
                "innkeeper.deliveries": len(deliveries),
            },
        )
        with trace.use_span(span, end_on_exit=False):
            traceparent = current_traceparent()
        spans.append(span)
        traced.append(
            (message, envelope, [dataclasses.replace(d, traceparent=traceparent) for d in deliveries])
        )
    return traced, spans


def end_all(spans: list[Span]) -> None:
    for span in spans:
        span.end()


@contextmanager
def send_span(delivery: Delivery) -> Iterator[Span | None]:
    """The span of one attempt at `delivery`, current meanwhile (its log lines carry the trace id);
    its parent is the context stored with the delivery. None when tracing is off."""
    if not tracing_enabled():
        yield None
        return
    attributes: dict[str, AnyValue] = {
        "innkeeper.delivery.id": delivery.id,
        "innkeeper.delivery.channel": delivery.channel,
        "innkeeper.delivery.template": delivery.template,
        "innkeeper.delivery.attempt": delivery.attempts,
        "innkeeper.event.type": delivery.event_type,
        "messaging.message.id": str(delivery.event_id),
    }
    parent = context_from(delivery.traceparent) or Context()  # no stored context: a trace of its own
    spans = tracer(TRACER)
    kind = SpanKind.CLIENT
    with spans.start_as_current_span(f"deliver {delivery.channel}", parent, kind, attributes) as span:
        yield span


def record_outcome(span: Span | None, outcome: str, reason: str | None) -> None:
    """What came of the attempt, on its span: delivered, cancelled (the guest's data is erased: not an
    error), retried later or failed (with the reason)."""
    if span is None:
        return
    span.set_attribute("innkeeper.delivery.outcome", outcome)
    if outcome not in ("delivered", "cancelled"):
        span.set_status(StatusCode.ERROR, reason)


def header(message: AbstractIncomingMessage) -> str | bytes | None:
    """The message's `traceparent` header, if it has one."""
    value = message.headers.get(TRACEPARENT)
    return value if isinstance(value, str | bytes) else None
