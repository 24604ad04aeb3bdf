"""The command intake's dead-letter queue as the operator tools (`dead_letter_actions`) read it.

Every action reads the queue the same way: `basic.get` without ack on one channel until it is empty,
so each message is seen once and stays in the queue; what the action does not settle goes back, in its
order, when that channel closes. The dead-letter queue is a classic queue: no delivery limit, and a
message given back keeps its place; reading it only sets `redelivered` (measured on RabbitMQ 3.10,
tests/integration/command/test_dead_letter_tools.py). A quorum queue would count every reading as a
delivery and dead-letter a message after its limit: this way of reading is for the classic one only.
While one operator holds the queue, another sees it empty.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aio_pika
from aio_pika.abc import AbstractExchange, AbstractIncomingMessage, AbstractQueue
from aiormq.exceptions import AMQPError

from command_service.cli.dead_letter_message import DeadLetter
from command_service.settings import Settings
from innkeeper_contracts.topology import COMMANDS_DEAD_LETTER_QUEUE, COMMANDS_EXCHANGE

Held = list[tuple[AbstractIncomingMessage, DeadLetter]]


@dataclass
class DeadLetterQueue:
    """The dead letters, held unacknowledged on the queue's channel until it closes; `commands`
    publishes with confirms."""

    queue: AbstractQueue
    commands: AbstractExchange

    async def letters(self) -> AsyncIterator[tuple[AbstractIncomingMessage, DeadLetter]]:
        """Those in the queue when it was opened (dead letters arriving meanwhile cannot keep it busy)."""
        for _ in range(self.queue.declaration_result.message_count or 0):
            if (message := await self.queue.get(no_ack=False, fail=False)) is None:
                return
            yield message, DeadLetter.of(message)

    async def chosen(self, selectors: list[str] | None) -> Held:
        """The dead letters `selectors` name (ids or message ids), or all of them for None."""
        held: Held = []
        async for message, letter in self.letters():
            if selectors is None or any(letter.matches(selector) for selector in selectors):
                held.append((message, letter))
        return held


@asynccontextmanager
async def opened(settings: Settings) -> AsyncIterator[DeadLetterQueue]:
    connection = await aio_pika.connect(settings.rabbitmq_url, timeout=10)
    async with connection:
        reading = await connection.channel()
        queue = await reading.declare_queue(COMMANDS_DEAD_LETTER_QUEUE, passive=True)
        publishing = await connection.channel(publisher_confirms=True)
        commands = await publishing.get_exchange(COMMANDS_EXCHANGE, ensure=False)
        yield DeadLetterQueue(queue, commands)


async def run(action: Awaitable[int]) -> int:
    """The action's exit code; a broker that refuses (no such queue, no permission) or cannot be reached
    is said in a few lines, exit 1."""
    try:
        return await action
    except (AMQPError, OSError) as error:
        print(f"dead-letters: RabbitMQ refused: {error!r}")
        print(f"(the broker user of RABBITMQ_URL needs read on {COMMANDS_DEAD_LETTER_QUEUE} and write on")
        print(f"{COMMANDS_EXCHANGE}: an operator's user; the queue exists once the intake has started)")
        return 1
