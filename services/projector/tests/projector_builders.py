"""Builders of event envelopes for the unit tests."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from innkeeper_contracts import DomainEvent, EventEnvelope, Money, RoomTypeSpec, SealedGuest

HOTEL = uuid.UUID("00000000-0000-0000-0000-00000000000a")
EUR = "EUR"


def money(amount: int | str) -> Money:
    return Money(amount=Decimal(amount), currency=EUR)


def room(code: str, capacity: int, rate: int) -> RoomTypeSpec:
    return RoomTypeSpec(code=code, name=code, capacity=capacity, max_guests=2, nightly_rate=money(rate))


def guest(guest_id: str = "g-1") -> SealedGuest:
    return SealedGuest(guest_id=guest_id, name="Ann", email="ann@example.com")


class Log:
    """Numbers events like the event log: versions per aggregate, positions overall."""

    def __init__(self) -> None:
        self.envelopes: list[EventEnvelope] = []
        self.versions: dict[uuid.UUID, int] = {}

    def add(self, aggregate_id: uuid.UUID, event: DomainEvent) -> EventEnvelope:
        version = self.versions.get(aggregate_id, 0) + 1
        self.versions[aggregate_id] = version
        position = len(self.envelopes) + 1
        envelope = EventEnvelope(
            event_id=uuid.uuid4(),
            event_type=event.event_type(),
            schema_version=event.schema_version,
            aggregate_type=event.aggregate_type,
            aggregate_id=aggregate_id,
            aggregate_version=version,
            global_position=position,
            partition_key=str(HOTEL),
            occurred_at=datetime(2027, 1, 1, tzinfo=UTC) + timedelta(minutes=position),
            correlation_id="c",
            causation_id="c",
            data=event.model_dump(mode="json"),
        )
        self.envelopes.append(envelope)
        return envelope

    async def between(self, aggregate_id: str, after: int, before: int) -> list[EventEnvelope]:
        return [
            e
            for e in self.envelopes
            if str(e.aggregate_id) == aggregate_id and after < e.aggregate_version < before
        ]


def stay(booking: uuid.UUID, code: str, check_in: date, nights: int, **extra: Any) -> dict[str, Any]:
    return {
        "booking_id": booking,
        "hotel_id": HOTEL,
        "room_type": code,
        "guest": guest(),
        "check_in": check_in,
        "check_out": check_in + timedelta(days=nights),
        "nights": nights,
        "guests": 1,
        "nightly_rate": money(100),
        "total_price": money(100 * nights),
        "booked_at": datetime(2027, 1, 1, tzinfo=UTC),
        **extra,
    }
