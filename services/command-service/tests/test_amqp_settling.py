"""Every command message is settled: answered and acked, dead-lettered with a reason, or put back in the
queue only on PostgreSQL's account (TestRabbitBroker; the real broker: tests/integration/command)."""

from __future__ import annotations

from decimal import Decimal

import asyncpg
import pytest
import structlog
from amqp_fakes import ACCEPTED, ScriptedMediator, build, publish
from command_builders import register_hotel
from faststream.message import AckStatus
from faststream.rabbit import TestRabbitBroker
from faststream.rabbit.annotations import RabbitMessage
from pydantic import ValidationError

from command_service.adapters.amqp_reading import MessageLimits
from command_service.application.ports import DatabaseTimeoutError, ServiceUnavailableError
from innkeeper_contracts import CommandRejected, Money
from innkeeper_contracts.topology import REJECTION_REASON_HEADER


def validation_error() -> ValidationError:
    """What a handler met when a value it computed broke a contract (e.g. a total price)."""
    try:
        Money(amount=Decimal("-1"), currency="EUR")
    except ValidationError as error:
        return error
    raise AssertionError("Money refused nothing")


UNEXPECTED = [
    ValueError("a bug"),
    validation_error(),
    asyncpg.CharacterNotInRepertoireError('invalid byte sequence for encoding "UTF8": 0x00'),
]


@pytest.mark.parametrize("error", UNEXPECTED, ids=lambda error: type(error).__name__)
async def test_an_unexpected_error_is_answered_500_dead_lettered_with_its_kind_and_acked(
    error: Exception,
) -> None:
    broker, intake, dead = build(ScriptedMediator(error))
    replies: list[bytes] = []

    @broker.subscriber("replies-under-partner")
    async def reply(message: RabbitMessage) -> None:
        replies.append(message.body)

    body = register_hotel().model_dump_json()
    with structlog.testing.capture_logs(processors=[structlog.processors.format_exc_info]) as lines:
        async with TestRabbitBroker(broker) as test_broker:
            await publish(test_broker, body, reply_to="replies-under-partner", correlation_id="corr-5")
    [answer] = [CommandRejected.model_validate_json(reply) for reply in replies]
    assert (answer.status, answer.type, answer.correlation_id) == (
        500,
        "https://innkeeper.dev/problems/internal",
        "corr-5",
    )
    assert str(error) not in answer.detail, "no internals"
    assert type(error).__name__ not in answer.detail, "no internals"
    [(dead_body, headers)] = dead
    assert dead_body == body.encode()
    assert headers[REJECTION_REASON_HEADER] == (
        f"internal: {type(error).__name__} (logged under correlation id corr-5)"
    )
    assert [message.committed for message in intake.messages] == [AckStatus.ACKED]
    [logged] = [line for line in lines if line["event"] == "amqp.unexpected_error"]
    assert "Traceback (most recent call last)" in logged["exception"], "the traceback, as text"


async def test_a_body_over_the_limit_is_refused_unread_and_dead_lettered_without_it() -> None:
    mediator = ScriptedMediator(ACCEPTED)
    broker, intake, dead = build(mediator, MessageLimits(max_body_bytes=1024, max_header_bytes=1024))
    replies: list[bytes] = []

    @broker.subscriber("replies-under-partner")
    async def reply(message: RabbitMessage) -> None:
        replies.append(message.body)

    async with TestRabbitBroker(broker) as test_broker:
        await publish(test_broker, b"{" + b" " * 1024 + b"}", reply_to="replies-under-partner")
        await publish(test_broker, register_hotel().model_dump_json())  # the next one is taken
    [answer] = [CommandRejected.model_validate_json(reply) for reply in replies]
    assert (answer.status, answer.type) == (413, "https://innkeeper.dev/problems/too-large")
    [(dead_body, headers)] = dead
    assert dead_body == b""
    assert str(headers[REJECTION_REASON_HEADER]).startswith("too-large: the body has 1026 bytes")
    assert len(mediator.requests) == 1
    assert [message.committed for message in intake.messages] == [AckStatus.ACKED, AckStatus.ACKED]


async def test_while_postgres_is_unreachable_the_message_is_held_and_tried_again() -> None:
    down = ServiceUnavailableError("PostgreSQL is unavailable")
    mediator = ScriptedMediator(down, down, ACCEPTED)
    broker, intake, dead = build(mediator)
    async with TestRabbitBroker(broker) as test_broker:
        await publish(test_broker, register_hotel().model_dump_json())
    assert len(mediator.requests) == 3
    assert [message.committed for message in intake.messages] == [AckStatus.ACKED]
    assert dead == []


async def test_a_held_message_goes_back_to_the_queue_when_the_intake_stops() -> None:
    down = ServiceUnavailableError("PostgreSQL is unavailable")
    mediator = ScriptedMediator(down)
    broker, intake, dead = build(mediator)

    def stop_then_fail() -> CommandRejected:
        intake.stop()
        raise down

    mediator.answers = [down, stop_then_fail]  # type: ignore[list-item]
    async with TestRabbitBroker(broker) as test_broker:
        await publish(test_broker, register_hotel().model_dump_json())
    assert len(mediator.requests) == 2
    assert [message.committed for message in intake.messages] == [AckStatus.NACKED]
    assert dead == []


async def test_a_statement_postgres_cancelled_puts_the_message_back_at_once() -> None:
    timeout = DatabaseTimeoutError("PostgreSQL cancelled a statement: canceling statement (lock timeout)")
    mediator = ScriptedMediator(timeout, ACCEPTED)
    broker, intake, dead = build(mediator)
    async with TestRabbitBroker(broker) as test_broker:
        await publish(test_broker, register_hotel().model_dump_json())
    assert len(mediator.requests) == 1, "not held: back in the queue, where the delivery limit counts"
    # Rejected, not nacked: RabbitMQ 4.3 counts only a reject towards the delivery limit.
    assert [message.committed for message in intake.messages] == [AckStatus.REJECTED]
    assert dead == []
