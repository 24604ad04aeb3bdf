"""The AMQP intake subscriber, on FastStream's in-memory TestRabbitBroker (real-broker tests are in
tests/integration/command)."""

from __future__ import annotations

import pytest
from amqp_fakes import ACCEPTED, ScriptedMediator, build, publish
from command_builders import register_hotel
from faststream.rabbit import TestRabbitBroker
from faststream.rabbit.annotations import RabbitMessage

from innkeeper_contracts import CommandAccepted, CommandRejected
from innkeeper_contracts.topology import REJECTION_REASON_HEADER


async def test_a_valid_command_reaches_the_mediator_with_key_correlation_id_and_sender() -> None:
    mediator = ScriptedMediator(ACCEPTED)
    broker, _, dead = build(mediator)
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
    broker, _, _ = build(ScriptedMediator(ACCEPTED))
    replies: list[bytes] = []

    @broker.subscriber("replies-under-partner.session-1")
    async def reply(message: RabbitMessage) -> None:
        replies.append(message.body)

    async with TestRabbitBroker(broker) as test_broker:
        body = register_hotel().model_dump_json()
        await publish(test_broker, body, reply_to="replies-under-partner.session-1", correlation_id="c")
    assert [CommandAccepted.model_validate_json(body) for body in replies] == [ACCEPTED]


async def test_a_reply_goes_nowhere_else_not_even_to_a_lookalike_of_the_senders_queue() -> None:
    broker, _, _ = build(ScriptedMediator(ACCEPTED))
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
    broker, _, dead = build(mediator)
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
    [(b"{not json", "malformed-body"), (b'{"name": "Inn"}', "invalid-input")],
)
async def test_poison_messages_are_dead_lettered_with_the_reason_and_the_sender(
    body: bytes, reason: str
) -> None:
    mediator = ScriptedMediator(ACCEPTED)
    broker, _, dead = build(mediator)
    async with TestRabbitBroker(broker) as test_broker:
        await publish(test_broker, body)
    assert mediator.requests == []
    [(dead_body, headers)] = dead
    assert dead_body == body
    assert str(headers[REJECTION_REASON_HEADER]).startswith(reason)
    assert headers["x-original-user-id"] == "partner"


async def test_business_rejections_are_answered_not_dead_lettered() -> None:
    rejection = CommandRejected(status=409, type="business-rule", title="t", detail="no room")
    broker, _, dead = build(ScriptedMediator(rejection))
    async with TestRabbitBroker(broker) as test_broker:
        await publish(test_broker, register_hotel().model_dump_json())
    assert dead == []


async def test_a_key_outside_the_id_format_is_refused_and_a_correlation_id_outside_it_replaced() -> None:
    mediator = ScriptedMediator(ACCEPTED)
    broker, _, dead = build(mediator)
    replies: list[tuple[str | None, bytes]] = []

    @broker.subscriber("replies-under-partner")
    async def reply(message: RabbitMessage) -> None:
        replies.append((message.correlation_id, message.body))

    async with TestRabbitBroker(broker) as test_broker:
        body = register_hotel().model_dump_json()
        await publish(test_broker, body, message_id="key with spaces", reply_to="replies-under-partner")
        await publish(
            test_broker, body, correlation_id="<script>", message_id="k-2", reply_to="replies-under-partner"
        )
    [(_, headers)] = dead
    assert str(headers[REJECTION_REASON_HEADER]).startswith("invalid-input: message_id:")
    [request] = mediator.requests
    assert request.correlation_id != "<script>"
    assert request.correlation_id.isalnum(), "a fresh one"
    refusal, answer = (CommandRejected.model_validate_json(replies[0][1]), replies[1])
    assert (refusal.status, [error.loc for error in refusal.errors]) == (422, [["message_id"]])
    assert answer[0] == "<script>", "the reply carries the sender's own correlation id, to match it"


@pytest.mark.parametrize("key", ["key-1\n", "key-1\r\n"])
async def test_a_key_ending_in_a_line_break_is_refused(key: str) -> None:
    mediator = ScriptedMediator(ACCEPTED)
    broker, _, dead = build(mediator)
    async with TestRabbitBroker(broker) as test_broker:
        await publish(test_broker, register_hotel().model_dump_json(), message_id=key)
    assert mediator.requests == [], "neither stored nor logged"
    [(_, headers)] = dead
    assert str(headers[REJECTION_REASON_HEADER]).startswith("invalid-input: message_id:")
