"""Stories and checks the notifier tests share: book and cancel over HTTP, read the deliveries back."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from email.message import EmailMessage
from typing import Any
from uuid import uuid4

import aio_pika
import httpx
from flow.payloads import book_stay, cancel_booking, register_hotel, room, today, unique_city
from testkit.auth import admin
from testkit.commands import HttpCommands, accepted
from testkit.innkeeper import Innkeeper

from innkeeper_contracts.topology import EVENTS_EXCHANGE, event_headers
from projector.event_log import COLUMNS, to_envelope

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
"""The `payments` webhook subscriber's signing secret."""


def hotel(management_email: str | None, rooms: int, rate: str) -> dict[str, Any]:
    body = register_hotel("Harbour Inn", unique_city(), 4, room("STE", rooms, rate))
    return body | ({"management_email": management_email} if management_email else {})


async def book_and_cancel(
    system: Innkeeper,
    stays: int = 1,
    *,
    rate: str = "600.00",
    management_email: str | None = "boss@harbour.example",
    hotel_id: str | None = None,
) -> list[dict[str, Any]]:
    """Book `stays` two-night stays four days out, then cancel them all: a half refund, and at the
    default rate (1,200.00 a stay: high value) an alert to management. In a new hotel, or in `hotel_id`
    (registered with enough rooms before). Returns the stays."""
    assert system.command is not None
    async with httpx.AsyncClient(base_url=system.command.url, headers=admin(), timeout=30) as client:
        commands = HttpCommands(client)
        if hotel_id is None:
            registered = hotel(management_email, max(stays, 5), rate)
            accepted(await commands.send("RegisterHotel", registered))
            hotel_id = registered["hotel_id"]
        check_in = today() + timedelta(days=4)
        bodies = [
            book_stay(hotel_id, "STE", check_in, nights=2, guest_id=f"guest-{uuid4().hex[:8]}")
            for _ in range(stays)
        ]
        gate = asyncio.Semaphore(16)

        async def book_then_cancel(body: dict[str, Any]) -> None:
            async with gate:
                accepted(await commands.send("BookStay", body))
                accepted(await commands.send("CancelBooking", cancel_booking(body["booking_id"])))

        await asyncio.gather(*(book_then_cancel(body) for body in bodies))
    return bodies


def message_ids(messages: list[EmailMessage]) -> Counter[str]:
    return Counter(str(message["Message-ID"]) for message in messages)


async def notification_ids(system: Innkeeper, event_type: str = "GuestNotificationRequested") -> set[str]:
    """The `Message-ID` every mail of these events must carry (`<event id@innkeeper.example>`)."""
    return {f"<{row['event_id']}@innkeeper.example>" for row in await system.events_of_type(event_type)}


async def deliveries(system: Innkeeper, channel: str | None = None) -> list[dict[str, Any]]:
    """The notifier's delivery records (of one channel), in the order they were recorded."""
    sql = "SELECT * FROM notifier.deliveries WHERE $1::text IS NULL OR channel = $1 ORDER BY id"
    return [dict(row) for row in await system.fetch(sql, channel)]


async def settled(system: Innkeeper, count: int, channel: str | None = None) -> bool:
    """At least `count` records (of the channel), none of them still open."""
    records = await deliveries(system, channel)
    return len(records) >= count and all(r["state"] in ("delivered", "failed") for r in records)


async def republish_log(system: Innkeeper) -> int:
    """Publish every event of the log again, as a relay that lost its confirmations would."""
    rows = await system.fetch(f"SELECT {COLUMNS} FROM events ORDER BY global_position")
    envelopes = [to_envelope(row) for row in rows]
    connection = await aio_pika.connect(system.env["RABBITMQ_URL"])
    async with connection, connection.channel() as channel:
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)
        for envelope in envelopes:
            headers: dict[str, Any] = event_headers(
                partition_key=envelope.partition_key,
                event_type=envelope.event_type,
                correlation_id=envelope.correlation_id,
            )
            message = aio_pika.Message(envelope.model_dump_json().encode(), message_id=str(envelope.event_id),
                                       headers=headers, content_type="application/json")  # fmt: skip
            await exchange.publish(message, routing_key=envelope.routing_key)
    return len(envelopes)
