"""The AMQP intake's CONSUMER span: one `process <command>` around handling a command message, a child
of the sender's trace when the message carries a `traceparent` header (a new trace otherwise), so the
events the command appends continue it through the outbox. While tracing is off: nothing at all."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from aio_pika.abc import AbstractIncomingMessage
from opentelemetry.trace import SpanKind

from innkeeper_contracts.topology import COMMANDS_EXCHANGE
from innkeeper_kit.tracing import TRACEPARENT, context_from, tracer, tracing_enabled

TRACER = "command_service.amqp"


@contextmanager
def command_span(raw: AbstractIncomingMessage, name: str, correlation_id: str) -> Iterator[None]:
    if not tracing_enabled():
        yield
        return
    given = (raw.headers or {}).get(TRACEPARENT)
    parent = context_from(given) if isinstance(given, str | bytes) else None
    attributes = {
        "messaging.system": "rabbitmq",
        "messaging.operation.type": "process",
        "messaging.destination.name": COMMANDS_EXCHANGE,
        "messaging.rabbitmq.destination.routing_key": name,
        "messaging.message.id": raw.message_id or "",
        "messaging.message.conversation_id": correlation_id,
    }
    span_name = f"process {name}"
    with tracer(TRACER).start_as_current_span(span_name, parent, SpanKind.CONSUMER, attributes):
        yield
