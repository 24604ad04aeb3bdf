"""What a message on a shard queue holds: the event, read at the current schema version with the
deliveries it asks for; or, for a message that is not a valid event, the reason it is refused and its
dead letter."""

from __future__ import annotations

from collections.abc import Sequence

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, FieldValue
from pydantic import ValidationError

from innkeeper_contracts import EventEnvelope
from innkeeper_contracts.envelope import UnknownEventTypeError
from innkeeper_contracts.topology import REJECTION_REASON_HEADER
from innkeeper_contracts.upcasting import SchemaVersionError
from innkeeper_kit.tracing import TRACEPARENT

from .plans import PlannedDelivery, deliveries_for
from .settings import WebhookSubscriber
from .topology import DEAD_LETTER_EXCHANGE

MAX_EVENT_BYTES = 1_048_576
"""An event message larger than this is dead-lettered without its body: no event of the contracts
comes near it, and the notifier will not hold it."""


def read_event(
    body: bytes, subscribers: Sequence[WebhookSubscriber]
) -> tuple[EventEnvelope, list[PlannedDelivery]]:
    """The event of a message, at the current schema version, and the deliveries it asks for; raises
    ValueError when it is not a valid event."""
    if len(body) > MAX_EVENT_BYTES:
        raise ValueError(f"message of {len(body)} bytes, over {MAX_EVENT_BYTES}")
    # Kept and forwarded (webhooks) at the current schema version: a subscriber gets one shape of an
    # event, whenever it was logged. Data newer than this notifier knows is refused, not misread.
    envelope = EventEnvelope.model_validate_json(body).upcast()
    envelope.event()  # the data too, whatever the channel: the contracts' text rule keeps out NUL
    return envelope, deliveries_for(envelope, subscribers)


def rejection_reason(error: ValueError) -> str:
    """The reason a dead letter carries."""
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(map(str, first["loc"]))
        return f"invalid event: {error.error_count()} error(s), first at {where or 'body'}: {first['msg']}"
    if isinstance(error, UnknownEventTypeError | SchemaVersionError):
        return str(error)
    return f"invalid event: {error}"


async def dead_letter(channel: AbstractChannel, message: AbstractIncomingMessage, reason: str) -> None:
    """Publish `message` to the notifier's dead letters with `reason` (without a body over the bound)."""
    exchange = await channel.get_exchange(DEAD_LETTER_EXCHANGE, ensure=False)
    body = message.body if len(message.body) <= MAX_EVENT_BYTES else b""
    headers: dict[str, FieldValue] = {
        REJECTION_REASON_HEADER: reason[:1000],
        "x-original-routing-key": message.routing_key or "",
    }
    if (traceparent := message.headers.get(TRACEPARENT)) is not None:
        headers[TRACEPARENT] = traceparent  # the dead letter stays in the trace of what sent it
    letter = aio_pika.Message(
        body,
        message_id=message.message_id,
        content_type=message.content_type,
        headers=headers,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )
    await exchange.publish(letter, routing_key="")
