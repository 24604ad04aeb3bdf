"""Names of exchanges, queues, routing keys and headers on RabbitMQ."""

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

COMMANDS_EXCHANGE: Final = "innkeeper.commands"
"""Direct exchange for command messages; the routing key is the command name (e.g. `BookStay`)."""
COMMANDS_QUEUE: Final = "innkeeper.commands.intake"
"""Durable quorum queue the command service consumes, bound for every command name."""
COMMANDS_DEAD_LETTER_EXCHANGE: Final = "innkeeper.commands.dlx"
COMMANDS_DEAD_LETTER_QUEUE: Final = "innkeeper.commands.dead-letter"
"""Rejected command messages, with the reason in the `x-rejection-reason` header (the intake's), or in
`x-first-death-reason` = `delivery_limit` (the broker's: a message delivered too often)."""
COMMANDS_DELIVERY_LIMIT: Final = 10
"""A command message returned to the intake queue more often than this (its consumer gone without
settling it, a requeue) is dead-lettered by the broker: one that crashes the process on every delivery
cannot keep the intake busy forever."""
COMMANDS_QUEUE_ARGUMENTS: Final[Mapping[str, str | int]] = MappingProxyType(
    {
        "x-queue-type": "quorum",
        "x-delivery-limit": COMMANDS_DELIVERY_LIMIT,
        "x-dead-letter-exchange": COMMANDS_DEAD_LETTER_EXCHANGE,
    }
)
"""Every declaration of the intake queue passes exactly these: RabbitMQ refuses (PRECONDITION_FAILED) to
redeclare a queue with other arguments, e.g. a classic queue declared before it became a quorum queue."""

EVENTS_EXCHANGE: Final = "innkeeper.events"
"""Topic exchange for domain events; routing key `<aggregate>.<event>`."""

REJECTION_REASON_HEADER: Final = "x-rejection-reason"
PARTITION_KEY_HEADER: Final = "x-partition-key"
"""Header on every event: the hotel id, so consumers can shard while keeping per-hotel order."""
CORRELATION_ID_HEADER: Final = "x-correlation-id"
EVENT_TYPE_HEADER: Final = "x-event-type"
TRACEPARENT_HEADER: Final = "traceparent"
"""The W3C trace context (`00-<trace id>-<span id>-<flags>`), on an event whose command was traced (the
relay's publish span) and, optionally, on a command message (its sender's span): absent while tracing is
off."""


def event_headers(*, partition_key: str, event_type: str, correlation_id: str) -> dict[str, str]:
    """The headers every event message carries: consumers shard and trace by them, not by the body."""
    return {
        PARTITION_KEY_HEADER: partition_key,
        EVENT_TYPE_HEADER: event_type,
        CORRELATION_ID_HEADER: correlation_id,
    }
