"""Guest notifications sealed the way the command service seals them, published straight onto the events
exchange: the notifier's tests of personal data need no command service running. The guests' keys are
made with the kit (`innkeeper_kit.personal`) in this test's database (its `guest_keys` made by the
command service's migrations), under the master key every service of the test process shares
(`testkit.auth.pii_master_keys`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import aio_pika
import asyncpg
from testkit.auth import pii_master_keys

from innkeeper_contracts import EventEnvelope, GuestDataErased, GuestNotificationRequested, Money
from innkeeper_contracts.topology import EVENTS_EXCHANGE, event_headers
from innkeeper_kit.personal import GuestKey, GuestKeyStore, MasterKeys, seal

HOTEL = uuid4()
KEYS = GuestKeyStore(MasterKeys.parse(pii_master_keys()))


class Guests:
    """The guests' keys in this test's database: made, erased, and texts sealed under them."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.keys: dict[str, GuestKey] = {}

    async def __aenter__(self) -> Guests:
        self.db = await asyncpg.connect(self.dsn)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.db.close()

    async def key_of(self, guest_id: str) -> GuestKey:
        if guest_id not in self.keys:
            self.keys[guest_id] = KEYS.new_key()
            await KEYS.insert(self.db, guest_id, self.keys[guest_id])
        return self.keys[guest_id]

    async def erase(self, guest_id: str) -> list[UUID]:
        return await KEYS.erase(self.db, guest_id)

    async def sealed(self, guest_id: str, text: str) -> str:
        key = await self.key_of(guest_id)
        return seal(key.key_id, key.data_key, text)


def envelope(data: GuestNotificationRequested | GuestDataErased, version: int) -> EventEnvelope:
    return EventEnvelope(
        event_id=uuid4(), event_type=data.event_type(), schema_version=data.schema_version,
        aggregate_type="booking", aggregate_id=data.booking_id, aggregate_version=version,
        global_position=version, partition_key=str(HOTEL), occurred_at=datetime.now(UTC),
        correlation_id=f"corr-{uuid4().hex[:8]}", causation_id="cmd", data=data.model_dump(mode="json"),
    )  # fmt: skip


def confirmation(booking_id: UUID, guest_id: str, email: str, name: str, version: int = 2) -> EventEnvelope:
    """A `booking_confirmed` notification (address and name as given: sealed, or clear as in a legacy one)."""
    check_in = date.today() + timedelta(days=10)
    event = GuestNotificationRequested(
        booking_id=booking_id, hotel_id=HOTEL, guest_id=guest_id, email=email, guest_name=name,
        template="booking_confirmed", hotel_name="Harbour Inn", check_in=check_in,
        check_out=check_in + timedelta(days=2), total_price=Money(amount=Decimal("400.00"), currency="EUR"),
    )  # fmt: skip
    return envelope(event, version)


def erasure(booking_id: UUID, guest_id: str, key_ids: list[UUID], version: int) -> EventEnvelope:
    event = GuestDataErased(
        booking_id=booking_id, hotel_id=HOTEL, guest_id=guest_id, erased_at=datetime.now(UTC), key_ids=key_ids
    )
    return envelope(event, version)


async def publish(rabbitmq_url: str, *envelopes: EventEnvelope) -> None:
    """Publish the events as the relay does (the hotel as the partition key: in order per hotel)."""
    connection = await aio_pika.connect(rabbitmq_url)
    async with connection, connection.channel() as channel:
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)
        for event in envelopes:
            headers: dict[str, Any] = event_headers(
                partition_key=event.partition_key, event_type=event.event_type,
                correlation_id=event.correlation_id,
            )  # fmt: skip
            message = aio_pika.Message(event.model_dump_json().encode(), message_id=str(event.event_id),
                                       headers=headers, content_type="application/json")  # fmt: skip
            await exchange.publish(message, routing_key=event.routing_key)
