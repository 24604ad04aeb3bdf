"""Helpers for the command service's integration tests: payloads, an event tap, database reads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import aio_pika
import asyncpg
import httpx
import orjson
from asgi_lifespan import LifespanManager
from testkit.auth import admin, amqp_user, auth_settings
from testkit.waiting import wait_until

from command_service.bootstrap import create_app
from command_service.domain.clock import Clock
from command_service.settings import Settings
from innkeeper_contracts import EventEnvelope
from innkeeper_contracts.topology import EVENTS_EXCHANGE


def today() -> date:
    return datetime.now(UTC).date()


def hotel_body(capacity: int = 3, max_guests: int = 2, rate: str = "100.00") -> dict[str, Any]:
    return {
        "hotel_id": str(uuid4()),
        "name": "Harbour Inn",
        "city": "Bergen",
        "stars": 4,
        "room_types": [
            {
                "code": "DBL",
                "name": "Double",
                "capacity": capacity,
                "max_guests": max_guests,
                "nightly_rate": {"amount": rate, "currency": "EUR"},
            }
        ],
    }


def booking_body(
    hotel_id: str, check_in: date | None = None, nights: int = 2, **changes: Any
) -> dict[str, Any]:
    start = check_in or today() + timedelta(days=20)
    body = {
        "hotel_id": hotel_id,
        "room_type": "DBL",
        "guest": {"guest_id": f"guest-{uuid4().hex[:8]}", "name": "Ann Berg", "email": "ann@example.com"},
        "check_in": start.isoformat(),
        "check_out": (start + timedelta(days=nights)).isoformat(),
        "guests": 2,
    }
    return {**body, **changes}


class EventTap:
    """A test queue bound to `innkeeper.events` with `#`: collects every published event."""

    def __init__(self, queue: aio_pika.abc.AbstractQueue) -> None:
        self.queue = queue
        self.envelopes: list[EventEnvelope] = []
        self.messages: list[aio_pika.abc.AbstractIncomingMessage] = []

    async def _on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        self.messages.append(message)
        self.envelopes.append(EventEnvelope.model_validate_json(message.body))
        await message.ack()

    @property
    def event_ids(self) -> set[str]:
        return {str(envelope.event_id) for envelope in self.envelopes}

    def of_type(self, event_type: str) -> list[EventEnvelope]:
        return [envelope for envelope in self.envelopes if envelope.event_type == event_type]

    async def wait_for(self, count: int, limit: float = 20) -> None:
        async def enough() -> bool:
            return len(self.event_ids) >= count

        await wait_until(enough, limit, f"{count} distinct events on the bus")


@asynccontextmanager
async def event_tap(rabbitmq_url: str) -> AsyncIterator[EventTap]:
    connection = await aio_pika.connect_robust(rabbitmq_url)
    try:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(f"test.events.{uuid4().hex[:8]}", exclusive=True)
        await queue.bind(exchange, "#")
        tap = EventTap(queue)
        await queue.consume(tap._on_message)
        yield tap
    finally:
        await connection.close()


@asynccontextmanager
async def command_client(
    env: dict[str, str], clock: Clock | None = None, wait_ready: bool = True, **overrides: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """The command service in this process (real PostgreSQL and RabbitMQ), with an httpx client."""
    settings = Settings(
        postgres_dsn=env["POSTGRES_DSN"],
        rabbitmq_url=env["RABBITMQ_URL"],
        log_format="json",
        **{**auth_settings(env["RABBITMQ_URL"]), **overrides},
    )
    app = create_app(settings, clock)
    async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(
            headers=admin(), transport=transport, base_url="http://command", timeout=30
        ) as client:
            if wait_ready:
                await wait_until(lambda: _ready(client), what="command service ready")
            yield client


async def _ready(client: httpx.AsyncClient) -> bool:
    return (await client.get("/readyz")).status_code == 200


async def fetchval(dsn: str, sql: str, *args: Any) -> Any:
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetchval(sql, *args)
    finally:
        await connection.close()


async def fetch(dsn: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetch(sql, *args)
    finally:
        await connection.close()


async def event_ids_in_log(dsn: str) -> set[str]:
    return {str(row["event_id"]) for row in await fetch(dsn, "SELECT event_id FROM events")}


async def wait_for_intake(client: httpx.AsyncClient) -> None:
    async def intake_up() -> bool:
        return (await client.get("/readyz")).json().get("rabbitmq") == "up"

    await wait_until(intake_up, what="AMQP intake started")


class CommandSender:
    """Publishes command messages to `innkeeper.commands` and collects replies on its own queue."""

    def __init__(
        self, channel: aio_pika.abc.AbstractChannel, reply_queue: aio_pika.abc.AbstractQueue, user_id: str
    ) -> None:
        self.channel, self.reply_queue, self.user_id = channel, reply_queue, user_id
        self.replies: list[aio_pika.abc.AbstractIncomingMessage] = []

    async def _on_reply(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        self.replies.append(message)
        await message.ack()

    async def send(
        self,
        routing_key: str,
        body: bytes,
        *,
        message_id: str | None = None,
        correlation_id: str | None = None,
        exchange: str = "innkeeper.commands",
        headers: dict[str, Any] | None = None,
    ) -> None:
        message = aio_pika.Message(
            body,
            headers=headers,
            user_id=self.user_id,
            message_id=message_id or uuid4().hex,
            correlation_id=correlation_id or uuid4().hex,
            reply_to=self.reply_queue.name,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        target = await self.channel.get_exchange(exchange) if exchange else self.channel.default_exchange
        await target.publish(message, routing_key)

    async def wait_for_replies(self, count: int, limit: float = 20) -> None:
        async def enough() -> bool:
            return len(self.replies) >= count

        await wait_until(enough, limit, what=f"{count} replies")

    def reply_to(self, correlation_id: str) -> dict[str, Any]:
        [reply] = [reply for reply in self.replies if reply.correlation_id == correlation_id]
        result: dict[str, Any] = orjson.loads(reply.body)
        return result


@asynccontextmanager
async def command_sender(rabbitmq_url: str) -> AsyncIterator[CommandSender]:
    connection = await aio_pika.connect_robust(rabbitmq_url)
    try:
        channel = await connection.channel()
        user = amqp_user(rabbitmq_url)
        reply_queue = await channel.declare_queue(f"innkeeper.replies.{user}.{uuid4().hex}", exclusive=True)
        sender = CommandSender(channel, reply_queue, user)
        await reply_queue.consume(sender._on_reply)
        yield sender
    finally:
        await connection.close()


async def dead_letters(rabbitmq_url: str, count: int) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Take `count` messages from the command dead-letter queue (bounded wait)."""
    connection = await aio_pika.connect_robust(rabbitmq_url)
    taken: list[aio_pika.abc.AbstractIncomingMessage] = []
    try:
        channel = await connection.channel()
        queue = await channel.get_queue("innkeeper.commands.dead-letter")

        async def take() -> bool:
            message = await queue.get(fail=False)
            if message is not None:
                await message.ack()
                taken.append(message)
            return len(taken) >= count

        await wait_until(take, what=f"{count} dead letters")
        return taken
    finally:
        await connection.close()


async def dead_letters_now(rabbitmq_url: str) -> int:
    """How many messages wait in the command dead-letter queue right now."""
    connection = await aio_pika.connect_robust(rabbitmq_url)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue("innkeeper.commands.dead-letter", passive=True)
        return queue.declaration_result.message_count or 0
    finally:
        await connection.close()
