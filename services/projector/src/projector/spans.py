"""A batch's spans, made only when tracing is on (`innkeeper_kit.tracing`; off, the consumer makes none
and pays nothing per event).

Each event gets a CONSUMER span `project <event_type>` whose parent is its message's `traceparent`
header (the relay's publish span), so applying the event is part of the trace of the request that
caused it. The events of a batch are applied together, so each span lasts as long as the batch. One
`apply batch` span, linked to every event's, is current while the batch is written: the MongoDB and
PostgreSQL calls are made under it rather than each starting a trace of its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from uuid import UUID

from aio_pika.abc import AbstractIncomingMessage
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, Span, SpanKind, StatusCode
from opentelemetry.util.types import AnyValue

from innkeeper_contracts import EventEnvelope
from innkeeper_kit.tracing import TRACEPARENT, context_from, tracer, tracing_enabled

TRACER = "projector"


class BatchSpans:
    """The spans of one batch of a shard: one per event, and the batch's."""

    def __init__(self, shard: str, received: Sequence[tuple[AbstractIncomingMessage, EventEnvelope]]) -> None:
        spans = tracer(TRACER)
        size = len(received)
        self.events: dict[UUID, Span] = {
            envelope.event_id: spans.start_span(
                f"project {envelope.event_type}",
                context=context_from(_header(message)) or Context(),  # none: a trace of its own
                kind=SpanKind.CONSUMER,
                attributes={  # few: each costs on the hot path (the event log has the rest, by id)
                    "messaging.message.id": str(envelope.event_id),
                    "innkeeper.shard": shard,
                    "innkeeper.batch.size": size,
                    "innkeeper.event.type": envelope.event_type,
                    "innkeeper.event.global_position": envelope.global_position,
                },
            )
            for message, envelope in received
        }
        self.headers: dict[str, str] = {
            str(envelope.event_id): header for message, envelope in received if (header := _header(message))
        }
        """Each event's `traceparent` header (by event id): kept with the event if it is parked."""
        links = [Link(span.get_span_context()) for span in self.events.values()]
        attributes: dict[str, AnyValue] = {"innkeeper.shard": shard, "innkeeper.batch.size": size}
        self.batch = spans.start_span("apply batch", links=links, attributes=attributes)

    @classmethod
    def open(
        cls,
        shard: str,
        batch: Sequence[AbstractIncomingMessage],
        envelopes: Sequence[EventEnvelope],
        malformed: Sequence[tuple[AbstractIncomingMessage, str]],
    ) -> BatchSpans | None:
        """The spans of `batch` (whose well-formed messages carried `envelopes`, in order), or None
        when tracing is off."""
        if not tracing_enabled() or not envelopes:
            return None
        left_out = {id(message) for message, _ in malformed}
        carried = [message for message in batch if id(message) not in left_out]
        return cls(shard, list(zip(carried, envelopes, strict=True)))

    def event(self, event_id: UUID) -> AbstractContextManager[object]:
        """The event's span made current (what is logged about the event carries its trace id)."""
        span = self.events.get(event_id)
        return trace.use_span(span, end_on_exit=False) if span is not None else nullcontext()

    def parked(self, envelope: EventEnvelope, reason: str) -> None:
        if (span := self.events.get(envelope.event_id)) is not None:
            span.set_attribute("innkeeper.parked", True)
            span.set_status(StatusCode.ERROR, reason)

    def end(self) -> None:
        self.batch.end()
        for span in self.events.values():
            span.end()


@contextmanager
def applying(spans: BatchSpans | None) -> Iterator[None]:
    """While the batch is written: its `apply batch` span is current (nothing when tracing is off)."""
    if spans is None:
        yield
        return
    # A failed try is recorded on the batch's span; the try that follows may still apply it.
    with trace.use_span(spans.batch, end_on_exit=False, set_status_on_exception=False):
        yield


def _header(message: AbstractIncomingMessage) -> str | None:
    value = message.headers.get(TRACEPARENT)
    if isinstance(value, bytes):
        return value.decode("ascii", "replace")
    return value if isinstance(value, str) else None
