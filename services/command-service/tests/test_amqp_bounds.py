"""What the intake publishes stays within what the broker takes, and a timeout on the last delivery the
queue allows is answered with its cause (TestRabbitBroker; the real broker: tests/integration/command)."""

from __future__ import annotations

import pytest
from amqp_fakes import ACCEPTED, ScriptedMediator, build, publish
from command_builders import register_hotel
from faststream.message import AckStatus
from faststream.rabbit import RabbitBroker, TestRabbitBroker
from faststream.rabbit.annotations import RabbitMessage

from command_service.adapters.amqp_answers import (
    ORIGINAL_ROUTING_KEY_HEADER,
    ORIGINAL_USER_ID_HEADER,
    REPLY_MAX_BYTES,
    reply_body,
)
from command_service.adapters.amqp_reading import MessageLimits
from command_service.application.ports import DatabaseTimeoutError
from command_service.application.rejections import field_errors, invalid_command
from innkeeper_contracts import CommandRejected
from innkeeper_contracts.topology import COMMANDS_DELIVERY_LIMIT, REJECTION_REASON_HEADER

OURS = {REJECTION_REASON_HEADER, ORIGINAL_ROUTING_KEY_HEADER, ORIGINAL_USER_ID_HEADER}
TIMEOUT = DatabaseTimeoutError("PostgreSQL cancelled a statement: canceling statement due to lock timeout")


def replies_of(broker: RabbitBroker) -> list[bytes]:
    """Collect what the intake answers to the sender `partner`'s reply queue."""
    replies: list[bytes] = []

    @broker.subscriber("replies-under-partner")
    async def reply(message: RabbitMessage) -> None:
        replies.append(message.body)

    return replies


async def test_headers_over_the_limit_are_refused_431_and_dead_lettered_without_them() -> None:
    mediator = ScriptedMediator(ACCEPTED)
    broker, intake, dead = build(mediator, MessageLimits(max_body_bytes=65_536, max_header_bytes=1_024))
    replies = replies_of(broker)
    body = register_hotel().model_dump_json()
    async with TestRabbitBroker(broker) as test_broker:
        stuffed = {"stuffing": "x" * 1_024}
        await publish(test_broker, body, headers=stuffed, reply_to="replies-under-partner")
        await publish(test_broker, body)  # the next one is taken
    [answer] = [CommandRejected.model_validate_json(reply) for reply in replies]
    assert (answer.status, answer.type) == (431, "https://innkeeper.dev/problems/too-large")
    [(dead_body, headers)] = dead
    assert str(headers[REJECTION_REASON_HEADER]).startswith("too-large: the headers have 1042 bytes encoded")
    assert "stuffing" not in headers
    assert dead_body == body.encode(), "a body within its own limit is kept"
    assert len(mediator.requests) == 1
    assert [message.committed for message in intake.messages] == [AckStatus.ACKED, AckStatus.ACKED]


async def test_a_dead_letter_carries_our_headers_and_none_of_the_senders() -> None:
    broker, _, dead = build(ScriptedMediator(ACCEPTED))
    async with TestRabbitBroker(broker) as test_broker:
        await publish(test_broker, b"{not json", headers={"x-senders-own": "anything"})
    [(_, headers)] = dead
    assert set(headers) >= OURS
    assert "x-senders-own" not in headers


def test_a_reply_with_more_field_errors_than_fit_leaves_the_rest_out() -> None:
    many = [
        {"loc": (f"field-{number}-{'x' * 200}",), "msg": "Extra inputs", "type": "extra"}
        for number in range(2_000)
    ]
    rejection = invalid_command(field_errors(many), command="RegisterHotel", correlation_id="c")
    assert len(rejection.model_dump_json()) > REPLY_MAX_BYTES
    body = reply_body(rejection)
    assert len(body) <= REPLY_MAX_BYTES
    bounded = CommandRejected.model_validate_json(body)
    assert 0 < len(bounded.errors) < len(rejection.errors)
    assert bounded.errors == rejection.errors[: len(bounded.errors)]
    assert bounded.detail.endswith(f"({len(rejection.errors) - len(bounded.errors)} field errors left out)")
    assert reply_body(ACCEPTED) == ACCEPTED.model_dump_json().encode(), "a small answer is as it was"


async def test_a_timeout_on_the_last_delivery_the_limit_allows_is_answered_503_and_dead_lettered() -> None:
    broker, intake, dead = build(ScriptedMediator(TIMEOUT))
    replies = replies_of(broker)
    async with TestRabbitBroker(broker) as test_broker:
        last = {"x-delivery-count": COMMANDS_DELIVERY_LIMIT - 1}
        await publish(
            test_broker, register_hotel().model_dump_json(), headers=last, reply_to="replies-under-partner"
        )
    [answer] = [CommandRejected.model_validate_json(reply) for reply in replies]
    assert (answer.status, answer.type) == (503, "https://innkeeper.dev/problems/unavailable")
    [(_, headers)] = dead
    assert (
        headers[REJECTION_REASON_HEADER] == f"unavailable: {TIMEOUT} ({COMMANDS_DELIVERY_LIMIT} deliveries)"
    )
    assert [message.committed for message in intake.messages] == [AckStatus.ACKED]


@pytest.mark.parametrize("delivered_before", [None, 1, COMMANDS_DELIVERY_LIMIT - 2])
async def test_a_timeout_before_the_last_delivery_puts_the_message_back_unanswered(
    delivered_before: int | None,
) -> None:
    broker, intake, dead = build(ScriptedMediator(TIMEOUT))
    replies = replies_of(broker)
    headers = {} if delivered_before is None else {"x-delivery-count": delivered_before}
    async with TestRabbitBroker(broker) as test_broker:
        await publish(
            test_broker, register_hotel().model_dump_json(), headers=headers, reply_to="replies-under-partner"
        )
    assert (replies, dead) == ([], [])
    assert [message.committed for message in intake.messages] == [AckStatus.REJECTED]
