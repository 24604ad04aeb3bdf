"""The AMQP intake subscriber, on FastStream's in-memory TestRabbitBroker (real-broker tests are in
tests/integration/command)."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import pytest
from command_builders import register_hotel
from faststream.rabbit import RabbitBroker, RabbitQueue, TestRabbitBroker
from faststream.rabbit.annotations import RabbitMessage

from command_service.adapters.amqp_intake import CommandIntake
from command_service.adapters.amqp_senders import AmqpSenders
from command_service.adapters.amqp_topology import (
    COMMANDS_EXCHANGE_SPEC,
    DEAD_LETTER_EXCHANGE_SPEC,
    register_intake,
)
from command_service.application.ports import ServiceUnavailableError
from command_service.application.requests import CommandRequest, Outcome
from command_service.settings import AmqpSender
from innkeeper_contracts import CommandAccepted, CommandRejected
from innkeeper_contracts.topology import REJECTION_REASON_HEADER


class ScriptedMediator:
    """Answers every command with the outcome it was given (or raises it)."""

    def __init__(self, answer: Outcome | Exception) -> None:
        self.answer = answer
        self.requests: list[CommandRequest] = []

    async def send(self, request: CommandRequest) -> Outcome:
        self.requests.append(request)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


ACCEPTED = CommandAccepted(
    command="RegisterHotel", aggregate_id=uuid4(), consistency_token="1.x.1", correlation_id="c"
)


SENDERS = AmqpSenders({"partner": AmqpSender(role="service")}, ["replies-under-"])


def build(mediator: ScriptedMediator) -> tuple[RabbitBroker, list[tuple[bytes, dict[str, object]]]]:
    broker = RabbitBroker()
    intake = CommandIntake(broker, mediator, SENDERS, requeue_delay=0)  # type: ignore[arg-type]
    register_intake(broker, intake)
    dead: list[tuple[bytes, dict[str, object]]] = []

    @broker.subscriber(RabbitQueue("dead-letters-under-test"), DEAD_LETTER_EXCHANGE_SPEC)
    async def dead_letter(message: RabbitMessage) -> None:
        dead.append((message.body, dict(message.headers)))

    return broker, dead


async def test_a_valid_command_reaches_the_mediator_with_key_and_correlation_id() -> None:
    mediator = ScriptedMediator(ACCEPTED)
    broker, dead = build(mediator)
    async with TestRabbitBroker(broker) as test_broker:
        body = register_hotel().model_dump_json()
        await test_broker.publish(
            body,
            exchange=COMMANDS_EXCHANGE_SPEC,
            routing_key="RegisterHotel",
            message_id="key-1",
            correlation_id="corr-9",
            user_id="partner",
        )
    [request] = mediator.requests
    assert request.name == "RegisterHotel"
    assert (request.idempotency_key, request.correlation_id) == ("key-1", "corr-9")
    assert request.principal is not None
    assert (request.principal.subject, request.principal.role, request.principal.issuer) == (
        "partner",
        "service",
        "amqp",
    )
    assert dead == []


async def test_without_user_id_the_request_is_anonymous_for_the_pipeline_to_refuse() -> None:
    mediator = ScriptedMediator(ACCEPTED)
    broker, _ = build(mediator)
    async with TestRabbitBroker(broker) as test_broker:
        body = register_hotel().model_dump_json()
        await test_broker.publish(body, exchange=COMMANDS_EXCHANGE_SPEC, routing_key="RegisterHotel")
    [request] = mediator.requests
    assert request.principal is None


async def test_an_unmapped_sender_is_answered_403_and_nothing_reaches_the_mediator() -> None:
    mediator = ScriptedMediator(ACCEPTED)
    broker, dead = build(mediator)
    replies: list[bytes] = []

    @broker.subscriber("replies-under-test")
    async def reply(message: RabbitMessage) -> None:
        replies.append(message.body)

    async with TestRabbitBroker(broker) as test_broker:
        await test_broker.publish(
            register_hotel().model_dump_json(),
            exchange=COMMANDS_EXCHANGE_SPEC,
            routing_key="RegisterHotel",
            reply_to="replies-under-test",
            user_id="stranger",
        )
    assert mediator.requests == []
    assert dead == []
    [answer] = [CommandRejected.model_validate_json(body) for body in replies]
    assert (answer.status, answer.type) == (403, "forbidden")
    assert "stranger" in answer.detail


async def test_a_reply_to_outside_the_allowed_prefixes_is_not_published() -> None:
    broker, _ = build(ScriptedMediator(ACCEPTED))
    elsewhere: list[bytes] = []

    @broker.subscriber("innkeeper.projector.shard.0")
    async def shard(message: RabbitMessage) -> None:
        elsewhere.append(message.body)

    async with TestRabbitBroker(broker) as test_broker:
        await test_broker.publish(
            register_hotel().model_dump_json(),
            exchange=COMMANDS_EXCHANGE_SPEC,
            routing_key="RegisterHotel",
            reply_to="innkeeper.projector.shard.0",
            user_id="partner",
        )
    assert elsewhere == []


async def test_a_reply_goes_to_reply_to() -> None:
    broker, _ = build(ScriptedMediator(ACCEPTED))
    replies: list[bytes] = []

    @broker.subscriber("replies-under-test")
    async def reply(message: RabbitMessage) -> None:
        replies.append(message.body)

    async with TestRabbitBroker(broker) as test_broker:
        await test_broker.publish(
            register_hotel().model_dump_json(),
            exchange=COMMANDS_EXCHANGE_SPEC,
            routing_key="RegisterHotel",
            reply_to="replies-under-test",
            correlation_id="c",
        )
    assert [CommandAccepted.model_validate_json(body) for body in replies] == [ACCEPTED]


@pytest.mark.parametrize(
    ("body", "reason"),
    [(b"{not json", "malformed-message"), (b'{"name": "Inn"}', "invalid-command")],
)
async def test_poison_messages_are_dead_lettered_with_the_reason(body: bytes, reason: str) -> None:
    mediator = ScriptedMediator(ACCEPTED)
    broker, dead = build(mediator)
    async with TestRabbitBroker(broker) as test_broker:
        await test_broker.publish(body, exchange=COMMANDS_EXCHANGE_SPEC, routing_key="RegisterHotel")
    assert mediator.requests == []
    [(dead_body, headers)] = dead
    assert dead_body == body
    assert str(headers[REJECTION_REASON_HEADER]).startswith(reason)


async def test_business_rejections_are_answered_not_dead_lettered() -> None:
    rejection = CommandRejected(status=409, type="business-rule", title="t", detail="no room")
    broker, dead = build(ScriptedMediator(rejection))
    async with TestRabbitBroker(broker) as test_broker:
        await test_broker.publish(
            register_hotel().model_dump_json(), exchange=COMMANDS_EXCHANGE_SPEC, routing_key="RegisterHotel"
        )
    assert dead == []


async def test_database_outage_requeues_instead_of_dead_lettering() -> None:
    mediator = ScriptedMediator(ServiceUnavailableError("down"))
    broker, dead = build(mediator)
    async with TestRabbitBroker(broker) as test_broker:
        await test_broker.publish(
            register_hotel().model_dump_json(), exchange=COMMANDS_EXCHANGE_SPEC, routing_key="RegisterHotel"
        )
        await asyncio.sleep(0)
    assert len(mediator.requests) >= 1
    assert dead == []
