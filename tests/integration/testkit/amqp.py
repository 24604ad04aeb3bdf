"""AMQP clients acting as "another service": send commands and await replies; spy on domain events."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

import aio_pika
import orjson
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue

from innkeeper_contracts import EventEnvelope
from innkeeper_contracts.topology import COMMANDS_EXCHANGE, EVENTS_EXCHANGE
from testkit.auth import amqp_user


class CommandMessenger:
    """Publishes commands to `innkeeper.commands` (routing key = command name, message_id = idempotency
    key, user_id = the broker user) with `reply_to` = its own exclusive `innkeeper.replies.<user>.*`
    queue, and matches replies by `correlation_id`."""

    def __init__(self, channel: AbstractChannel, replies: AbstractQueue, user_id: str) -> None:
        self.channel, self.replies, self.user_id = channel, replies, user_id
        self.received: list[AbstractIncomingMessage] = []
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}

    async def _on_reply(self, message: AbstractIncomingMessage) -> None:
        await message.ack()
        self.received.append(message)
        future = self._waiting.pop(message.correlation_id or "", None)
        if future is not None and not future.done():
            future.set_result(orjson.loads(message.body))

    async def send(
        self,
        command: str,
        body: dict[str, Any],
        *,
        message_id: str | None = None,
        correlation_id: str | None = None,
        limit: float = 20,
    ) -> dict[str, Any]:
        """Publish one command and return its reply (CommandAccepted / CommandRejected JSON)."""
        correlation_id = correlation_id or f"test-{uuid4().hex}"
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[correlation_id] = future
        message = aio_pika.Message(
            orjson.dumps(body),
            user_id=self.user_id,
            message_id=message_id or uuid4().hex,
            correlation_id=correlation_id,
            reply_to=self.replies.name,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        exchange = await self.channel.get_exchange(COMMANDS_EXCHANGE)
        await exchange.publish(message, routing_key=command)
        return await asyncio.wait_for(future, limit)


@asynccontextmanager
async def command_messenger(amqp_url: str) -> AsyncIterator[CommandMessenger]:
    """A connection with an exclusive reply queue (deleted when the connection closes)."""
    connection = await aio_pika.connect_robust(amqp_url)
    try:
        channel = await connection.channel()
        user = amqp_user(amqp_url)
        replies = await channel.declare_queue(f"innkeeper.replies.{user}.{uuid4().hex}", exclusive=True)
        messenger = CommandMessenger(channel, replies, user)
        await replies.consume(messenger._on_reply)
        yield messenger
    finally:
        await connection.close()


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
