"""The command side's RabbitMQ topology: the commands exchange, the intake queue, the dead letters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from faststream import AckPolicy
from faststream.message import StreamMessage
from faststream.rabbit import ExchangeType, RabbitBroker, RabbitExchange, RabbitQueue
from faststream.rabbit.annotations import RabbitMessage

from innkeeper_contracts import COMMANDS
from innkeeper_contracts.topology import (
    COMMANDS_DEAD_LETTER_EXCHANGE,
    COMMANDS_DEAD_LETTER_QUEUE,
    COMMANDS_EXCHANGE,
    COMMANDS_QUEUE,
)

if TYPE_CHECKING:
    from command_service.adapters.amqp_intake import CommandIntake

COMMANDS_EXCHANGE_SPEC = RabbitExchange(COMMANDS_EXCHANGE, type=ExchangeType.DIRECT, durable=True)
DEAD_LETTER_EXCHANGE_SPEC = RabbitExchange(
    COMMANDS_DEAD_LETTER_EXCHANGE, type=ExchangeType.FANOUT, durable=True
)
DEAD_LETTER_QUEUE_SPEC = RabbitQueue(COMMANDS_DEAD_LETTER_QUEUE, durable=True)


def register_intake(broker: RabbitBroker, intake: CommandIntake) -> None:
    """Subscribe the intake to the command queue, once per command name (its binding and routing key).

    All of them consume the one durable queue; the intake reads the command name from the routing key,
    so a message that reaches the queue another way (unknown name) is dead-lettered with its reason.
    """
    for name in COMMANDS:
        queue = RabbitQueue(
            COMMANDS_QUEUE,
            durable=True,
            arguments={"x-dead-letter-exchange": COMMANDS_DEAD_LETTER_EXCHANGE},
            routing_key=name,
        )

        async def take_command(message: RabbitMessage) -> None:
            await intake.handle(message)

        broker.subscriber(
            queue,
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


async def declare_command_topology(broker: RabbitBroker) -> None:
    """The commands exchange and the dead letters (the subscribers declare and bind the intake queue)."""
    await broker.declare_exchange(COMMANDS_EXCHANGE_SPEC)
    dead_letters = await broker.declare_exchange(DEAD_LETTER_EXCHANGE_SPEC)
    dead_letter_queue = await broker.declare_queue(DEAD_LETTER_QUEUE_SPEC)
    await dead_letter_queue.bind(dead_letters)
