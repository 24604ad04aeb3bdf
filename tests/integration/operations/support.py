"""Payloads and log reading for the operations tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import aio_pika
import orjson
from aio_pika.abc import AbstractIncomingMessage
from testkit.services import ServiceProcess

from innkeeper_contracts.topology import EVENTS_EXCHANGE


def hotel(capacity: int = 1000) -> dict[str, Any]:
    rate = {"amount": "90.00", "currency": "EUR"}
    return {
        "hotel_id": str(uuid4()),
        "name": "Quay Hotel",
        "city": f"Oslo-{uuid4().hex[:6]}",
        "stars": 3,
        "room_types": [
            {"code": "DBL", "name": "Double", "capacity": capacity, "max_guests": 2, "nightly_rate": rate}
        ],
    }


def stay(hotel_id: str, days_ahead: int = 20, nights: int = 2) -> dict[str, Any]:
    check_in = datetime.now(UTC).date() + timedelta(days=days_ahead)
    return {
        "booking_id": str(uuid4()),
        "hotel_id": hotel_id,
        "room_type": "DBL",
        "guests": 2,
        "guest": {"guest_id": f"guest-{uuid4().hex[:8]}", "name": "Ola Dahl", "email": "ola@example.com"},
        "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=nights)).isoformat(),
    }


def log_lines(process: ServiceProcess, strict: bool = True) -> list[dict[str, Any]]:
    """Every line of the process's log, parsed as JSON (strict: a line that is not JSON fails the test)."""
    lines = []
    for number, line in enumerate(process.logs().splitlines(), 1):
        try:
            lines.append(orjson.loads(line))
        except orjson.JSONDecodeError as error:
            if strict:
                raise AssertionError(f"{process.log_path}:{number} is not a JSON line: {line!r}") from error
    return lines


def lines_with(process: ServiceProcess, **fields: Any) -> list[dict[str, Any]]:
    """The log lines of `process` that carry every given field with the given value."""
    return [
        line for line in log_lines(process, strict=False) if all(line.get(k) == v for k, v in fields.items())
    ]


@asynccontextmanager
async def bus_tap(amqp_url: str, routing_key: str = "#") -> AsyncIterator[list[AbstractIncomingMessage]]:
    """Every message published to `innkeeper.events` under `routing_key` while the block runs."""
    connection = await aio_pika.connect_robust(amqp_url)
    try:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(f"test.tap.{uuid4().hex[:8]}", exclusive=True)
        await queue.bind(exchange, routing_key)
        received: list[AbstractIncomingMessage] = []

        async def keep(message: AbstractIncomingMessage) -> None:
            received.append(message)
            await message.ack()

        await queue.consume(keep)
        yield received
    finally:
        await connection.close()
