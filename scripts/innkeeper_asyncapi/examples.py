"""The examples of the AsyncAPI document: the messages that carry one short story (`story`).

Every body is built through its contract (`model_validate`, then the contract's own JSON), so an example
that no longer fits its contract stops `make docs` instead of documenting a message Innkeeper would
refuse; the rejection comes from the command service's own factory, so it speaks the current problem
vocabulary.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from command_service.adapters.amqp_answers import ORIGINAL_ROUTING_KEY_HEADER, ORIGINAL_USER_ID_HEADER
from command_service.adapters.amqp_senders import DIRECT_REPLY_TO
from command_service.application.rejections import field_errors, invalid_command, refused
from command_service.domain.errors import NoRoomAvailableError
from innkeeper_contracts import COMMANDS, EVENT_TYPES, CommandAccepted, EventEnvelope
from innkeeper_contracts.topology import (
    COMMANDS_DELIVERY_LIMIT,
    COMMANDS_EXCHANGE,
    COMMANDS_QUEUE,
    REJECTION_REASON_HEADER,
    event_headers,
)

from .story import (
    BOOKING_ID,
    CANCELLED_AT,
    COMMAND_BODIES,
    CORRELATION_ID,
    EVENT_DATA,
    HOTEL_ID,
    IDEMPOTENCY_KEY,
    OCCURRED_AT,
    SENDER,
)


def _fit(model: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    """The values of the fields `model` has: an example may name a field a newer version of its
    contract adds (before that version, the example is the same without it)."""
    return {name: value for name, value in values.items() if name in model.model_fields}


def command_body(name: str) -> dict[str, Any]:
    """The example body of command `name`, as its contract writes it."""
    return COMMANDS[name].model_validate(COMMAND_BODIES[name]).model_dump(mode="json", exclude_none=True)


def event_envelope(event_type: str) -> dict[str, Any]:
    """The example envelope of `event_type`, as the outbox relay publishes it."""
    event = EVENT_TYPES[event_type]
    data = event.model_validate(_fit(event, EVENT_DATA[event_type]))
    position = 1 + sorted(EVENT_TYPES).index(event_type)  # any position: distinct per example
    envelope = EventEnvelope(
        event_id=f"7d{position:06d}-1e2f-4a3b-9c4d-5e6f7a8b9c0d",
        event_type=event_type,
        schema_version=event.schema_version,
        aggregate_type=event.aggregate_type,
        aggregate_id=getattr(data, "booking_id", None) or data.hotel_id,  # type: ignore[attr-defined]
        aggregate_version=1,
        global_position=4_000 + position,
        partition_key=HOTEL_ID,
        occurred_at=OCCURRED_AT.get(event_type, CANCELLED_AT),
        correlation_id=CORRELATION_ID,
        causation_id=IDEMPOTENCY_KEY,
        data=data.model_dump(mode="json"),
        actor={"subject": SENDER, "role": "service"},
    )
    return envelope.model_dump(mode="json")


def event_example_headers(event_type: str) -> dict[str, str]:
    return event_headers(partition_key=HOTEL_ID, event_type=event_type, correlation_id=CORRELATION_ID)


def accepted_reply() -> dict[str, Any]:
    """What a sender of the example BookStay gets back when it is accepted."""
    fields = {
        "command": "BookStay",
        "aggregate_id": BOOKING_ID,
        "booking_id": BOOKING_ID,
        "hotel_id": HOTEL_ID,
        "consistency_token": f"4005.{BOOKING_ID}.1",
        "correlation_id": CORRELATION_ID,
    }
    reply = CommandAccepted.model_validate(_fit(CommandAccepted, fields))
    return reply.model_dump(mode="json", exclude_none=True)


def rejected_reply() -> dict[str, Any]:
    """What it gets back when no room is free, as the command service itself words it."""
    error = NoRoomAvailableError("no DBL room is free on 2027-06-12")
    return refused(error, command="BookStay", correlation_id=CORRELATION_ID).model_dump(
        mode="json", exclude_none=True
    )


def properties() -> dict[str, dict[str, Any]]:
    """The AMQP properties of the examples, by the name of their schema (`amqp.property_schemas`)."""
    ids = {"correlation_id": CORRELATION_ID, "content_type": "application/json"}
    return {
        "CommandProperties": {
            "user_id": SENDER,
            "message_id": IDEMPOTENCY_KEY,
            "reply_to": DIRECT_REPLY_TO,
            **ids,
        },
        "ReplyProperties": ids,
        "EventProperties": {
            "message_id": event_envelope("StayBooked")["event_id"],
            "type": "StayBooked",
            "delivery_mode": 2,
            **ids,
        },
        "DeadLetterProperties": {"message_id": IDEMPOTENCY_KEY, "timestamp": "2027-06-08T10:00:01Z", **ids},
    }


def command_dead_letters() -> list[dict[str, Any]]:
    """A BookStay the intake refused as invalid (its reason as the intake words it), and one RabbitMQ
    dead-lettered after the delivery limit (its `x-death`)."""
    body = {**command_body("BookStay"), "guests": 0}
    try:
        COMMANDS["BookStay"].model_validate(body)
    except ValidationError as error:
        errors = field_errors(error.errors(include_url=False))
    rejection = invalid_command(errors, command="BookStay", correlation_id=CORRELATION_ID)
    refused_by_intake = {
        "name": "invalid",
        "summary": "Refused by the intake: the reason, the routing key and the sender in headers.",
        "headers": {
            REJECTION_REASON_HEADER: f"{rejection.type}: {rejection.detail}",
            ORIGINAL_ROUTING_KEY_HEADER: "BookStay",
            ORIGINAL_USER_ID_HEADER: SENDER,
        },
        "payload": body,
    }
    death = {
        "queue": COMMANDS_QUEUE,
        "reason": "delivery_limit",
        "count": 1,
        "exchange": COMMANDS_EXCHANGE,
        "routing-keys": ["CancelBooking"],
        "time": 1_812_456_001,
    }
    given_up = {
        "name": "deliveryLimit",
        "summary": f"Dead-lettered by RabbitMQ after {COMMANDS_DELIVERY_LIMIT} deliveries: its own headers "
        "and `x-death`.",
        "headers": {
            "x-death": [death],
            "x-first-death-reason": "delivery_limit",
            "x-first-death-queue": COMMANDS_QUEUE,
            "x-first-death-exchange": COMMANDS_EXCHANGE,
        },
        "payload": command_body("CancelBooking"),
    }
    return [refused_by_intake, given_up]


def notifier_dead_letters() -> list[dict[str, Any]]:
    """An envelope of an event type this notifier does not know, refused by its intake."""
    envelope = {**event_envelope("StayBooked"), "event_type": "StayExtended"}
    return [
        {
            "name": "unknownEventType",
            "summary": "Refused by the notifier's intake: not an event it can read.",
            "headers": {
                REJECTION_REASON_HEADER: "unknown event type 'StayExtended'",
                ORIGINAL_ROUTING_KEY_HEADER: "booking.stay_extended",
            },
            "payload": envelope,
        }
    ]
