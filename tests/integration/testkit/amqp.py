"""AMQP clients acting as "another service": send commands and await replies; spy on domain events."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

import aio_pika
from aio_pika.abc import AbstractQueue

from innkeeper_client import AmqpCommandSender, CommandRejectedError
from innkeeper_contracts import EventEnvelope
from innkeeper_contracts.topology import EVENTS_EXCHANGE


class CommandMessenger:
    """Another service sending commands: the integrators' AMQP sender (`innkeeper_client`), with the
    reply as JSON, accepted or rejected, for tests that assert on either."""

    def __init__(self, sender: AmqpCommandSender) -> None:
        self.sender = sender

    async def send(
        self,
        command: str,
        body: dict[str, Any],
        *,
        message_id: str | None = None,
        correlation_id: str | None = None,
    ) -> dict[str, Any]:
        """Publish one command and return its reply (CommandAccepted / CommandRejected JSON)."""
        try:
            answer = await self.sender.send(
                command, body, idempotency_key=message_id, correlation_id=correlation_id
            )
        except CommandRejectedError as rejected:
            return rejected.problem.model_dump(mode="json")
        return answer.model_dump(mode="json")


@asynccontextmanager
async def command_messenger(amqp_url: str, reply_seconds: float = 20) -> AsyncIterator[CommandMessenger]:
    """A sender connected as the URL's broker user, its replies on RabbitMQ's direct reply-to."""
    async with AmqpCommandSender(amqp_url, timeout=reply_seconds) as sender:
        yield CommandMessenger(sender)


class EventSpy:
    """A queue bound to `innkeeper.events` for some routing keys; `drain()` takes what has arrived."""

    def __init__(self, queue: AbstractQueue) -> None:
        self.queue = queue
        self.envelopes: list[EventEnvelope] = []
        self.message_ids: list[str] = []

    async def drain(self) -> int:
        """Take (and ack) every message ready in the queue now; returns how many were taken."""
        taken = 0
        while (message := await self.queue.get(fail=False, no_ack=False)) is not None:
            await message.ack()
            self.envelopes.append(EventEnvelope.model_validate_json(message.body))
            self.message_ids.append(message.message_id or "")
            taken += 1
        return taken

    def counts(self) -> Counter[str]:
        """How many times each event id was delivered."""
        return Counter(str(envelope.event_id) for envelope in self.envelopes)


@asynccontextmanager
async def event_spy(amqp_url: str, routing_keys: Iterable[str]) -> AsyncIterator[EventSpy]:
    """Declare the events exchange as the command service does, bind an exclusive queue, spy."""
    connection = await aio_pika.connect_robust(amqp_url)
    try:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(f"test.spy.{uuid4().hex[:8]}", exclusive=True)
        for key in routing_keys:
            await queue.bind(exchange, key)
        yield EventSpy(queue)
    finally:
        await connection.close()
