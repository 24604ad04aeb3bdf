"""Commands over RabbitMQ, as another service sends them: `AmqpCommandSender`.

A command message goes to the `innkeeper.commands` exchange with the command's name as routing key and
its JSON as body (ids included), and the properties the intake reads: `message_id` (the idempotency key),
`user_id` (the broker user of the connection: RabbitMQ refuses a message claiming another, and the
service maps it to a role with AMQP_SENDERS), `correlation_id` (the reply carries it back) and `reply_to`
= RabbitMQ's direct reply-to, so no reply queue is declared and the service may always answer there.

A reply that does not come in time raises NoAnswerError — which does not mean the command was not
applied: it may still be, later (the message waits in a durable queue). Send it again with the same
`idempotency_key` to learn its outcome: the service answers a repeat with the first answer."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

import aio_pika
import orjson
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange, AbstractIncomingMessage
from aio_pika.exceptions import AMQPError, ChannelInvalidStateError, ConnectionClosed

from innkeeper_contracts import CommandAccepted
from innkeeper_contracts.topology import COMMANDS_EXCHANGE

from .commands import CommandMethods
from .errors import InnkeeperError, NoAnswerError, error_for, read_problem

DIRECT_REPLY_TO = "amq.rabbitmq.reply-to"


class AmqpCommandSender(CommandMethods):
    """Sends commands over AMQP and awaits each reply; `async with` connects and closes.

    `url` names the broker user (`amqp://partner-portal:secret@host/`): the service must know it
    (AMQP_SENDERS). `timeout` bounds the wait for each reply, in seconds."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url, self.timeout = url, timeout
        self.user_id = unquote(urlsplit(url).username or "guest")
        self._connection: AbstractConnection | None = None
        self._exchange: AbstractExchange | None = None
        self._waiting: dict[str, asyncio.Future[bytes]] = {}

    async def connect(self) -> None:
        try:
            self._connection = await aio_pika.connect(self.url)
        except (AMQPError, OSError) as error:
            raise NoAnswerError(f"cannot reach the broker: {error!r}") from error
        # Publisher confirms: `send` returns once the broker has the message (durable queue, persistent).
        channel: AbstractChannel = await self._connection.channel(publisher_confirms=True)
        replies = await channel.get_queue(DIRECT_REPLY_TO, ensure=False)
        await replies.consume(self._on_reply, no_ack=True)  # direct reply-to takes no acks
        self._exchange = await channel.get_exchange(COMMANDS_EXCHANGE, ensure=False)

    async def close(self) -> None:
        for waiting in self._waiting.values():
            waiting.cancel()
        if self._connection is not None:
            await self._connection.close()
            self._connection = self._exchange = None

    async def __aenter__(self) -> AmqpCommandSender:
        await self.connect()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.close()

    async def deliver(
        self, name: str, body: Mapping[str, Any], idempotency_key: str, correlation_id: str
    ) -> CommandAccepted:
        """Publish one command message and await its reply: CommandAccepted, or the error for the
        rejection (a CommandRejectedError); NoAnswerError when none comes within `timeout`."""
        if self._exchange is None:
            raise InnkeeperError("not connected: use `async with AmqpCommandSender(url)` or connect()")
        if correlation_id in self._waiting:
            raise ValueError(f"a command with correlation id {correlation_id!r} awaits its reply already")
        reply = self._waiting[correlation_id] = asyncio.get_running_loop().create_future()
        message = aio_pika.Message(
            orjson.dumps(body),
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=idempotency_key,
            correlation_id=correlation_id,
            user_id=self.user_id,
            reply_to=DIRECT_REPLY_TO,
        )
        try:
            await self._exchange.publish(message, routing_key=name)
            answer = await asyncio.wait_for(reply, self.timeout)
        except TimeoutError:  # first: a TimeoutError is an OSError too
            raise NoAnswerError(
                f"{name}: no reply within {self.timeout} s (correlation id {correlation_id}); it may still "
                "be applied: send it again with the same idempotency key to learn its outcome"
            ) from None
        except (ConnectionClosed, ChannelInvalidStateError, OSError) as error:  # the connection is gone
            raise NoAnswerError(f"{name}: the connection to the broker is gone ({error!r})") from error
        except AMQPError as error:  # the broker refused the message (a user_id not the connection's, ...)
            raise InnkeeperError(f"{name}: the broker refused the message ({error!r})") from error
        finally:
            self._waiting.pop(correlation_id, None)
        return read_reply(name, answer)

    async def _on_reply(self, message: AbstractIncomingMessage) -> None:
        waiting = self._waiting.get(message.correlation_id or "")
        if waiting is not None and not waiting.done():
            waiting.set_result(message.body)


def read_reply(name: str, body: bytes) -> CommandAccepted:
    """The reply to a command message: its CommandAccepted, or the error for its rejection."""
    try:
        reply = orjson.loads(body)
    except orjson.JSONDecodeError:
        reply = body.decode(errors="replace")
    if isinstance(reply, dict) and reply.get("status") == "accepted":
        return CommandAccepted.model_validate(reply)
    status = reply.get("status") if isinstance(reply, dict) else None
    raise error_for(read_problem(status if isinstance(status, int) else 500, reply, command=name))
