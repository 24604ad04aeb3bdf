"""Realistic payloads: a StayBooked envelope, a hotel-night and a hotel-detail document."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from innkeeper_contracts import EventEnvelope
from innkeeper_contracts.events import StayBooked
from innkeeper_contracts.values import Money, SealedGuest
from innkeeper_kit.personal import GuestKeyStore, MasterKeys, seal

# The guest's name and address sealed as the command service seals them (the payloads are as large).
_KEY = GuestKeyStore(MasterKeys.parse(MasterKeys.new_setting("bench"))).new_key()


def stay_booked_envelope(position: int = 1) -> EventEnvelope:
    """One StayBooked in its envelope, as the relay publishes it."""
    hotel_id, booking_id = uuid.uuid4(), uuid.uuid4()
    rate = Money(amount=Decimal("120.00"), currency="EUR")
    event = StayBooked(
        booking_id=booking_id,
        hotel_id=hotel_id,
        room_type="DBL",
        guest=SealedGuest(
            guest_id="g-1",
            name=seal(_KEY.key_id, _KEY.data_key, "Bench Guest"),
            email=seal(_KEY.key_id, _KEY.data_key, "g1@bench-mail.io"),
        ),
        check_in=date.today() + timedelta(days=10),
        check_out=date.today() + timedelta(days=12),
        nights=2,
        guests=1,
        nightly_rate=rate,
        total_price=rate * 2,
        booked_at=datetime.now(UTC),
    )
    return EventEnvelope(
        event_id=uuid.uuid4(),
        event_type="StayBooked",
        schema_version=StayBooked.schema_version,
        aggregate_type="booking",
        aggregate_id=booking_id,
        aggregate_version=1,
        global_position=position,
        partition_key=str(hotel_id),
        occurred_at=datetime.now(UTC),
        correlation_id=str(uuid.uuid4()),
        causation_id=str(uuid.uuid4()),
        data=event.model_dump(mode="json"),
    )


def event_row_payload() -> bytes:
    """The ~300-byte jsonb payload of the raw append (the `data` of a StayBooked)."""
    return stay_booked_envelope().model_dump_json(include={"data"}).encode()


def hotel_night_document(index: int) -> dict[str, Any]:
    """A document shaped like a hotel night (what a booking mostly upserts)."""
    hotel = uuid.UUID(int=index // 100)
    night = (date.today() + timedelta(days=index % 100)).isoformat()
    rooms = [{"room_type": code, "capacity": 10_000, "booked": index % 7, "free": 10_000 - index % 7}
             for code in ("STD", "DBL", "STE")]  # fmt: skip
    return {"hotel_id": str(hotel), "night": night, "room_types": rooms, "booked": 3, "capacity": 30_000}


def hotel_detail_document(index: int) -> dict[str, Any]:
    """A document shaped like the hotel page (what `GET /hotels/{id}` returns)."""
    rate = {"amount": "120.00", "currency": "EUR"}
    room_types = [{"code": code, "name": f"Room {code}", "capacity": 10_000, "max_guests": 2,
                   "nightly_rate": rate} for code in ("STD", "DBL", "STE")]  # fmt: skip
    return {
        "_id": f"hotel-{index}",
        "hotel_id": str(uuid.UUID(int=index)),
        "name": f"Bench Hotel {index}",
        "city": "Benchville",
        "stars": 4,
        "room_types": room_types,
        "registered_at": datetime.now(UTC).isoformat(),
        "version": 1,
    }
