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


async def publish(broker: TestRabbitBroker, body: str | bytes, **properties: object) -> None:
    """A RegisterHotel message from the mapped sender `partner`, unless `properties` say otherwise."""
    await broker.publish(
        body,
        exchange=COMMANDS_EXCHANGE_SPEC,
        routing_key="RegisterHotel",
        **{"user_id": "partner", **properties},  # type: ignore[arg-type]
    )


async def test_a_valid_command_reaches_the_mediator_with_key_correlation_id_and_sender() -> None:
    mediator = ScriptedMediator(ACCEPTED)
    broker, dead = build(mediator)
    async with TestRabbitBroker(broker) as test_broker:
        await publish(
            test_broker, register_hotel().model_dump_json(), message_id="key-1", correlation_id="corr-9"
        )
    [request] = mediator.requests
    assert request.name == "RegisterHotel"
    assert (request.idempotency_key, request.correlation_id) == ("key-1", "corr-9")
    assert request.principal is not None
    principal = request.principal
    assert (principal.subject, principal.role, principal.issuer) == ("partner", "service", "amqp")
    assert dead == []


async def test_a_reply_goes_to_the_senders_own_reply_queue() -> None:
    broker, _ = build(ScriptedMediator(ACCEPTED))
    replies: list[bytes] = []

    @broker.subscriber("replies-under-partner.session-1")
    async def reply(message: RabbitMessage) -> None:
        replies.append(message.body)

    async with TestRabbitBroker(broker) as test_broker:
        body = register_hotel().model_dump_json()
        await publish(test_broker, body, reply_to="replies-under-partner.session-1", correlation_id="c")
    assert [CommandAccepted.model_validate_json(body) for body in replies] == [ACCEPTED]


async def test_a_reply_goes_nowhere_else_not_even_to_a_lookalike_of_the_senders_queue() -> None:
    broker, _ = build(ScriptedMediator(ACCEPTED))
    elsewhere: list[bytes] = []

    @broker.subscriber("innkeeper.projector.shard.0")
    async def shard(message: RabbitMessage) -> None:
        elsewhere.append(message.body)

    @broker.subscriber("replies-under-partnerx")  # the sender's prefix, but another user's queue
    async def lookalike(message: RabbitMessage) -> None:
        elsewhere.append(message.body)

    async with TestRabbitBroker(broker) as test_broker:
        for reply_to in ("innkeeper.projector.shard.0", "replies-under-partnerx"):
            await publish(test_broker, register_hotel().model_dump_json(), reply_to=reply_to)
    assert elsewhere == []


@pytest.mark.parametrize(("user_id", "status"), [(None, 401), ("stranger", 403)])
async def test_an_unknown_sender_is_answered_through_direct_reply_to_only_and_nothing_else_happens(
    user_id: str | None, status: int
) -> None:
    mediator = ScriptedMediator(ACCEPTED)
    broker, dead = build(mediator)
    direct: list[bytes] = []
    elsewhere: list[bytes] = []

    @broker.subscriber("amq.rabbitmq.reply-to")
    async def reply(message: RabbitMessage) -> None:
        direct.append(message.body)

    @broker.subscriber("replies-under-partner")  # a known sender's queue: no refusal may be planted there
    async def victim(message: RabbitMessage) -> None:
        elsewhere.append(message.body)

    async with TestRabbitBroker(broker) as test_broker:
        for reply_to in ("amq.rabbitmq.reply-to", "replies-under-partner"):
            await publish(test_broker, b"{not json", reply_to=reply_to, user_id=user_id)
    assert mediator.requests == []
    assert dead == [], "the body of an unknown sender is not even read"
    assert elsewhere == []
    [answer] = [CommandRejected.model_validate_json(body) for body in direct]
    assert answer.status == status


@pytest.mark.parametrize(
    ("body", "reason"),
    [(b"{not json", "malformed-message"), (b'{"name": "Inn"}', "invalid-command")],
)
async def test_poison_messages_are_dead_lettered_with_the_reason_and_the_sender(
    body: bytes, reason: str
) -> None:
    mediator = ScriptedMediator(ACCEPTED)
    broker, dead = build(mediator)
    async with TestRabbitBroker(broker) as test_broker:
        await publish(test_broker, body)
    assert mediator.requests == []
    [(dead_body, headers)] = dead
    assert dead_body == body
    assert str(headers[REJECTION_REASON_HEADER]).startswith(reason)
    assert headers["x-original-user-id"] == "partner"


async def test_business_rejections_are_answered_not_dead_lettered() -> None:
    rejection = CommandRejected(status=409, type="business-rule", title="t", detail="no room")
    broker, dead = build(ScriptedMediator(rejection))
    async with TestRabbitBroker(broker) as test_broker:
        await publish(test_broker, register_hotel().model_dump_json())
    assert dead == []


async def test_database_outage_requeues_instead_of_dead_lettering() -> None:
    mediator = ScriptedMediator(ServiceUnavailableError("down"))
    broker, dead = build(mediator)
    async with TestRabbitBroker(broker) as test_broker:
        await publish(test_broker, register_hotel().model_dump_json())
        await asyncio.sleep(0)
    assert len(mediator.requests) >= 1
    assert dead == []
