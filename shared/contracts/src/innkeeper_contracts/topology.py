"""Names of exchanges, queues, routing keys and headers on RabbitMQ."""

from typing import Final

COMMANDS_EXCHANGE: Final = "innkeeper.commands"
"""Direct exchange for command messages; the routing key is the command name (e.g. `BookStay`)."""
COMMANDS_QUEUE: Final = "innkeeper.commands.intake"
"""Durable quorum-free classic queue the command service consumes, bound for every command name."""
COMMANDS_DEAD_LETTER_EXCHANGE: Final = "innkeeper.commands.dlx"
COMMANDS_DEAD_LETTER_QUEUE: Final = "innkeeper.commands.dead-letter"
"""Rejected command messages, with the reason in the `x-rejection-reason` header."""

EVENTS_EXCHANGE: Final = "innkeeper.events"
"""Topic exchange for domain events; routing key `<aggregate>.<event>`."""

REJECTION_REASON_HEADER: Final = "x-rejection-reason"
PARTITION_KEY_HEADER: Final = "x-partition-key"
"""Header on every event: the hotel id, so consumers can shard while keeping per-hotel order."""
CORRELATION_ID_HEADER: Final = "x-correlation-id"
EVENT_TYPE_HEADER: Final = "x-event-type"


def event_headers(*, partition_key: str, event_type: str, correlation_id: str) -> dict[str, str]:
    """The headers every event message carries: consumers shard and trace by them, not by the body."""
    return {
        PARTITION_KEY_HEADER: partition_key,
        EVENT_TYPE_HEADER: event_type,
        CORRELATION_ID_HEADER: correlation_id,
    }
