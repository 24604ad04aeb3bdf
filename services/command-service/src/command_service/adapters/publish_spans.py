"""The relay's PRODUCER spans: one `publish <event type>` per event whose outbox row stored the trace
context of the request that wrote it, a child of that request; the message then carries the span's own
`traceparent` header, so the projector's and the notifier's spans become its children. Rows without one
(tracing was off) get no span and no header: a batch of them costs one attribute test per event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from command_service.adapters.outgoing_event import OutgoingEvent
from innkeeper_contracts.topology import EVENTS_EXCHANGE
from innkeeper_kit.tracing import context_from, traceparent_of, tracer

TRACER = "command_service.relay"


@dataclass
class PublishSpans:
    """The spans of one published batch, by the event's index in it, and the header each sends."""

    spans: dict[int, Span] = field(default_factory=dict)
    headers: dict[int, str] = field(default_factory=dict)

    @classmethod
    def open(cls, events: Sequence[OutgoingEvent], routing_keys: Sequence[str]) -> PublishSpans:
        opened = cls()
        for index, event in enumerate(events):
            if event.traceparent is None or (parent := context_from(event.traceparent)) is None:
                continue
            span = tracer(TRACER).start_span(
                f"publish {event.event_type}",
                context=parent,
                kind=SpanKind.PRODUCER,
                attributes={
                    "messaging.system": "rabbitmq",
                    "messaging.operation.type": "send",
                    "messaging.destination.name": EVENTS_EXCHANGE,
                    "messaging.rabbitmq.destination.routing_key": routing_keys[index],
                    "messaging.message.id": event.event_id,
                    "messaging.message.conversation_id": event.correlation_id,
                    "innkeeper.global_position": event.global_position,
                },
            )
            opened.spans[index] = span
            # A replica that does not trace passes the request's context on unchanged: the trace goes on.
            opened.headers[index] = traceparent_of(span) or event.traceparent
        return opened

    def __bool__(self) -> bool:
        return bool(self.headers)

    def header(self, index: int) -> str | None:
        return self.headers.get(index) if self.headers else None

    def end(self, outcomes: Sequence[BaseException | None]) -> None:
        """End each span with its event's outcome: confirmed, or the error (returned, nacked, late)."""
        for index, span in self.spans.items():
            if (outcome := outcomes[index]) is not None:
                span.set_status(Status(StatusCode.ERROR, type(outcome).__name__))
                span.record_exception(outcome)
            span.end()
