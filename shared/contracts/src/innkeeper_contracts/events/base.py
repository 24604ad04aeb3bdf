"""What every event is: a fact about one aggregate, a hotel or a booking."""

from __future__ import annotations

import re
from typing import ClassVar
from uuid import UUID

from innkeeper_contracts.contract import Contract


class DomainEvent(Contract):
    """Base of every event: knows its aggregate type and its schema version."""

    aggregate_type: ClassVar[str]
    schema_version: ClassVar[int] = 1

    @classmethod
    def event_type(cls) -> str:
        return cls.__name__

    @classmethod
    def routing_key(cls) -> str:
        """`<aggregate>.<event>` in snake case, e.g. `booking.stay_booked`."""
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()
        return f"{cls.aggregate_type}.{snake}"


class HotelEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "hotel"
    hotel_id: UUID


class BookingEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "booking"
    booking_id: UUID
    hotel_id: UUID
