"""What Innkeeper's messages carry besides their body, for the AsyncAPI document: the JSON Schemas of
their AMQP headers (the message's `headers`) and of the AMQP properties a sender sets or a consumer
reads (`message_id`, `correlation_id`, `reply_to`, `user_id`, …; AsyncAPI's AMQP binding has no field
for them, so each message carries them as the extension `x-amqp-properties`).

Names and limits come from the code that sets or reads them, so the document follows it.
"""

from __future__ import annotations

from typing import Any

from command_service.adapters.amqp_answers import (
    ORIGINAL_ROUTING_KEY_HEADER,
    ORIGINAL_USER_ID_HEADER,
    REASON_MAX_CHARS,
)
from command_service.adapters.amqp_senders import DIRECT_REPLY_TO
from command_service.settings import Settings as CommandSettings
from innkeeper_contracts.topology import (
    COMMANDS_DELIVERY_LIMIT,
    CORRELATION_ID_HEADER,
    EVENT_TYPE_HEADER,
    PARTITION_KEY_HEADER,
    REJECTION_REASON_HEADER,
    TRACEPARENT_HEADER,
)
from innkeeper_kit.identifiers import ID_PATTERN

from . import examples

_REPLY_PREFIX = CommandSettings.model_fields["amqp_reply_to_prefixes"].default
_TEXT = {"type": "string"}
_ID = {"type": "string", "pattern": ID_PATTERN}
_JSON = {"type": "string", "const": "application/json"}


def _object(
    description: str, properties: dict[str, Any], required: list[str], *, more: bool
) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": required,
        "additionalProperties": more,
    }


def _x_death() -> dict[str, Any]:
    """RabbitMQ's record of how a message was dead-lettered (one entry per queue and reason)."""
    entry = _object(
        "One dead-lettering: from which queue, why, how often.",
        {
            "queue": _TEXT,
            "reason": {"type": "string", "enum": ["rejected", "expired", "maxlen", "delivery_limit"]},
            "count": {"type": "integer", "minimum": 1},
            "exchange": _TEXT,
            "routing-keys": {"type": "array", "items": _TEXT},
            "time": {"type": "integer", "description": "When, as an AMQP timestamp (seconds)."},
        },
        ["queue", "reason", "count"],
        more=True,
    )
    return {"type": "array", "items": entry, "description": "Set by RabbitMQ when it dead-letters."}


def _dead_letter_headers(intake: str, original: dict[str, Any], limit: int) -> dict[str, Any]:
    by_broker = (
        f"or, when RabbitMQ dead-lettered it after {limit} deliveries (a message that stopped every "
        "consumer it reached), its own headers with `x-death` and `x-first-death-*` / `x-last-death-*`"
    )
    return _object(
        f"Either the reason {intake} gave (`{REJECTION_REASON_HEADER}`, "
        f"`{ORIGINAL_ROUTING_KEY_HEADER}`), {by_broker}.",
        {
            REJECTION_REASON_HEADER: {
                **_TEXT,
                "maxLength": REASON_MAX_CHARS,
                "description": "Why the message was refused: its problem type and detail, or the error.",
            },
            ORIGINAL_ROUTING_KEY_HEADER: {**_TEXT, "description": "The routing key it was sent with."},
            **original,
            "x-death": {"$ref": "#/components/schemas/XDeath"},
            "x-first-death-reason": _TEXT,
            "x-first-death-queue": _TEXT,
            "x-first-death-exchange": _TEXT,
        },
        [],
        more=True,
    )


def header_schemas(notifier_delivery_limit: int) -> dict[str, Any]:
    """Schemas of message headers, for components/schemas."""
    sender = {
        ORIGINAL_USER_ID_HEADER: {
            **_TEXT,
            "description": "The sender's broker user (`user_id`), kept for whoever re-sends the command.",
        }
    }
    return {
        "XDeath": _x_death(),
        "EventHeaders": _object(
            "Set on every event by the outbox relay: consumers shard and trace by them, not by the body.",
            {
                PARTITION_KEY_HEADER: {
                    **_TEXT,
                    "format": "uuid",
                    "description": "The hotel id. The projector's and the notifier's consistent-hash "
                    "exchanges shard on it, so one hotel's events stay in order.",
                },
                EVENT_TYPE_HEADER: {**_TEXT, "description": "The event type, as in the envelope."},
                CORRELATION_ID_HEADER: {**_TEXT, "description": "The correlation id, as in the envelope."},
                TRACEPARENT_HEADER: {
                    **_TEXT,
                    "pattern": "^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
                    "description": "W3C trace context of the relay's publish span, a child of the "
                    "request that made the event; only when that request was traced (OpenTelemetry on).",
                },
            },
            [PARTITION_KEY_HEADER, EVENT_TYPE_HEADER, CORRELATION_ID_HEADER],
            more=False,
        ),
        "CommandDeadLetterHeaders": _dead_letter_headers("the intake", sender, COMMANDS_DELIVERY_LIMIT),
        "NotifierDeadLetterHeaders": _dead_letter_headers("the notifier", {}, notifier_delivery_limit),
    }


def property_schemas() -> dict[str, Any]:
    """Schemas of the AMQP properties of each kind of message (its `x-amqp-properties`), with an
    example each (AsyncAPI's message examples have no place for properties), for components/schemas."""
    schemas = _property_schemas()
    for name, example in examples.properties().items():
        schemas[name]["examples"] = [example]
    return schemas


def _property_schemas() -> dict[str, Any]:
    reply_to = (
        f"Where to send the answer: `{DIRECT_REPLY_TO}`, or a queue of the sender's own, named "
        f"`{_REPLY_PREFIX}<user_id>` or `{_REPLY_PREFIX}<user_id>.<anything>` (AMQP_REPLY_TO_PREFIXES). "
        "Absent: no answer is sent."
    )
    return {
        "CommandProperties": _object(
            "Set by the sender of a command.",
            {
                "user_id": {
                    **_TEXT,
                    "description": "The sender's broker user, checked by RabbitMQ against the connection "
                    "and mapped to a role by AMQP_SENDERS. Absent or unknown: refused (401/403).",
                },
                "message_id": {
                    **_ID,
                    "description": "Idempotency key: a re-send with it is answered "
                    "as the first was and changes nothing. Absent: every delivery is new.",
                },
                "correlation_id": {
                    **_ID,
                    "description": "Carried into the events and the reply; a "
                    "value outside the pattern is replaced by a fresh one.",
                },
                "reply_to": {**_TEXT, "description": reply_to},
                "content_type": _JSON,
            },
            ["user_id"],
            more=True,
        ),
        "ReplyProperties": _object(
            "Set by the command service on its answer.",
            {
                "correlation_id": {**_TEXT, "description": "The command message's `correlation_id`."},
                "content_type": _JSON,
            },
            ["content_type"],
            more=False,
        ),
        "EventProperties": _object(
            "Set by the outbox relay on every event (published persistent, with publisher confirms).",
            {
                "message_id": {**_TEXT, "format": "uuid", "description": "The event id: deduplicate by it."},
                "correlation_id": _TEXT,
                "type": {**_TEXT, "description": "The event type."},
                "delivery_mode": {"const": 2, "description": "Persistent."},
                "content_type": _JSON,
            },
            ["message_id", "correlation_id", "type", "delivery_mode", "content_type"],
            more=False,
        ),
        "DeadLetterProperties": _object(
            "The refused message's own `message_id`, `correlation_id` and `content_type`, published "
            "persistent; a command dead letter also carries `timestamp` (when it was dead-lettered).",
            {"message_id": _TEXT, "correlation_id": _TEXT, "content_type": _TEXT, "timestamp": _TEXT},
            [],
            more=True,
        ),
    }
