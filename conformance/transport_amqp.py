"""Commands over AMQP, as docs/asyncapi/innkeeper.json and docs/integrating.md publish them.

Each client has its own reply queue `innkeeper.replies.<user>.<client>-<random>` (exclusive, auto-delete)
on a robust connection, which re-declares it and consumes again after a broker restart. A reply lost
with the old queue is asked for again: the same `message_id` is answered as the first time."""

import asyncio
import json
import uuid
from contextlib import suppress
from typing import Any
from urllib.parse import unquote, urlsplit

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractIncomingMessage, AbstractRobustConnection

from conformance.attempts import Answer, classify
from conformance.commands import Command

EXCHANGE = "innkeeper.commands"
PUBLISH_TIMEOUT = 5.0


class AmqpClient:
    transport = "amqp"

    def __init__(self, name: str, url: str) -> None:
        self.name, self.url = name, url
        self.user = unquote(urlsplit(url).username or "guest")
        self.reply_to = f"innkeeper.replies.{self.user}.{name}-{uuid.uuid4().hex[:8]}"
        self.replies: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.connection: AbstractRobustConnection | None = None
        self.channel: AbstractChannel | None = None
        self.exchange: AbstractExchange | None = None

    async def open(self) -> "AmqpClient":
        self.connection = await aio_pika.connect_robust(
            self.url,
            reconnect_interval=0.5,
            client_properties={"connection_name": f"conformance-load {self.name}"},
        )
        self.channel = await self.connection.channel(publisher_confirms=True, on_return_raises=True)
        queue = await self.channel.declare_queue(self.reply_to, exclusive=True, auto_delete=True)
        await queue.consume(self._on_reply, no_ack=True)
        self.exchange = await self.channel.get_exchange(EXCHANGE, ensure=False)
        return self

    async def _on_reply(self, message: AbstractIncomingMessage) -> None:
        future = self.replies.get(message.correlation_id or "")
        if future is None or future.done():
            return  # a repeat answer to a key already answered (or given up on)
        try:
            document = json.loads(message.body)
        except ValueError:
            document = {
                "status": 0,
                "type": "unreadable-reply",
                "detail": message.body[:200].decode(errors="replace"),
            }
        future.set_result(document if isinstance(document, dict) else {"status": 0, "detail": str(document)})

    async def attempt(self, command: Command, key: str, wait: float) -> Answer:
        # One future per key across attempts: the answer to any of them answers the command.
        future = self.replies.setdefault(key, asyncio.get_running_loop().create_future())
        if not future.done():
            message = aio_pika.Message(
                json.dumps(command.body).encode(),
                content_type="application/json",
                message_id=key,
                correlation_id=key,
                user_id=self.user,
                reply_to=self.reply_to,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            )
            assert self.exchange is not None, "open() first"
            try:
                # Bounded as a whole: a robust channel may wait for its reconnection before publishing.
                publish = self.exchange.publish(message, routing_key=command.name)
                await asyncio.wait_for(publish, timeout=min(PUBLISH_TIMEOUT, max(wait, 0.5)))
            except Exception as error:  # any failure to publish: not known to be sent, so send again
                return Answer("retry", reason=f"publish {type(error).__name__}: {error}"[:200])
        try:
            document = await asyncio.wait_for(asyncio.shield(future), timeout=max(wait, 0.1))
        except TimeoutError:
            return Answer("retry", reason=f"no reply in {wait:.1f} s")
        status = document.get("status")
        answer = classify(status if isinstance(status, int) else 202, document)
        if answer.outcome in ("retry", "collision"):
            # Not the command's answer (a collision with a copy of itself still running, or a 5xx): the next
            # attempt must send again and wait for a new reply, not read this one back.
            self.replies.pop(key, None)
        return answer

    def forget(self, key: str) -> None:
        future = self.replies.pop(key, None)
        if future is not None and not future.done():
            future.cancel()

    async def close(self) -> None:
        if self.connection is not None:
            with suppress(Exception):  # closing what the broker already lost must not fail the run
                await asyncio.wait_for(self.connection.close(), timeout=PUBLISH_TIMEOUT)
