"""The command side's RabbitMQ topology: the commands exchange, the intake queue, the dead letters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiormq.exceptions import ChannelPreconditionFailed
from faststream import AckPolicy
from faststream.message import StreamMessage
from faststream.rabbit import ExchangeType, QueueType, RabbitBroker, RabbitExchange, RabbitQueue
from faststream.rabbit.annotations import RabbitMessage
from faststream.rabbit.schemas.queue import ClassicQueueArgs

from innkeeper_contracts import COMMANDS
from innkeeper_contracts.topology import (
    COMMANDS_DEAD_LETTER_EXCHANGE,
    COMMANDS_DEAD_LETTER_QUEUE,
    COMMANDS_EXCHANGE,
    COMMANDS_QUEUE,
    COMMANDS_QUEUE_ARGUMENTS,
)

if TYPE_CHECKING:
    from command_service.adapters.amqp_intake import CommandIntake

COMMANDS_EXCHANGE_SPEC = RabbitExchange(COMMANDS_EXCHANGE, type=ExchangeType.DIRECT, durable=True)
DEAD_LETTER_EXCHANGE_SPEC = RabbitExchange(
    COMMANDS_DEAD_LETTER_EXCHANGE, type=ExchangeType.FANOUT, durable=True
)
DEAD_LETTER_QUEUE_SPEC = RabbitQueue(COMMANDS_DEAD_LETTER_QUEUE, durable=True)
"""The dead-letter queue by name (to publish to); declared with its bounds by `dead_letter_queue`."""


class TopologyMismatchError(Exception):
    """A queue exists with other arguments than the service declares (RabbitMQ: PRECONDITION_FAILED)."""


def intake_queue(routing_key: str = "") -> RabbitQueue:
    """The quorum intake queue (bound with `routing_key`), exactly as every declaration must give it."""
    queue = RabbitQueue(COMMANDS_QUEUE, QueueType.QUORUM, routing_key=routing_key)
    queue.arguments = dict(COMMANDS_QUEUE_ARGUMENTS)  # the contract's, `x-queue-type` included
    return queue


def dead_letter_queue(max_length: int, max_bytes: int, ttl_seconds: int) -> RabbitQueue:
    """The dead letters, bounded: beyond `max_length` messages or `max_bytes` of bodies the oldest go
    first; none outlives `ttl_seconds`."""
    bounds: ClassicQueueArgs = {
        "x-max-length": max_length,
        "x-max-length-bytes": max_bytes,
        "x-message-ttl": ttl_seconds * 1000,
    }
    return RabbitQueue(COMMANDS_DEAD_LETTER_QUEUE, durable=True, arguments=bounds)


def register_intake(broker: RabbitBroker, intake: CommandIntake) -> None:
    """Subscribe the intake to the command queue, once per command name (its binding and routing key).

    All of them consume the one durable queue; the intake reads the command name from the routing key,
    so a message that reaches the queue another way (unknown name) is dead-lettered with its reason.
    """
    for name in COMMANDS:

        async def take_command(message: RabbitMessage) -> None:
            await intake.handle(message)

        broker.subscriber(
            intake_queue(routing_key=name),
            COMMANDS_EXCHANGE_SPEC,
            decoder=_raw_body,
            ack_policy=AckPolicy.MANUAL,
            no_reply=True,
            title=f"{COMMANDS_QUEUE}:{name}",
            description=f"`{name}` commands (JSON body); `message_id` is the idempotency key.",
        )(take_command)


async def _raw_body(message: StreamMessage[Any]) -> bytes:
    # The intake parses (and judges) the body itself: FastStream's JSON decoding must never fail first,
    # or a malformed message would stay unacknowledged instead of reaching the dead letters.
    return message.body


async def declare_command_topology(broker: RabbitBroker, dead_letters: RabbitQueue) -> None:
    """The commands exchange, the dead letters and the intake queue (the subscribers bind it).

    TopologyMismatchError when a queue exists with other arguments: a classic intake queue from before
    it was a quorum queue, or dead letters declared with other bounds. RabbitMQ cannot change them on a
    queue; it must be deleted (its messages moved first) and is then declared anew."""
    await broker.declare_exchange(COMMANDS_EXCHANGE_SPEC)
    exchange = await broker.declare_exchange(DEAD_LETTER_EXCHANGE_SPEC)
    try:
        queue = await broker.declare_queue(dead_letters)
        await broker.declare_queue(intake_queue())
    except ChannelPreconditionFailed as error:
        raise TopologyMismatchError(str(error)) from error
    await queue.bind(exchange)
