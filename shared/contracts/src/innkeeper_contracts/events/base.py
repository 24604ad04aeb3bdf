"""What every event is: a fact about one aggregate, a hotel or a booking."""

from __future__ import annotations

import re
from typing import ClassVar
from uuid import UUID

from innkeeper_contracts.contract import TolerantContract


class DomainEvent(TolerantContract):
    """Base of every event: knows its aggregate type and the schema version of its data.

    A tolerant reader: a field it does not know is ignored, so a consumer keeps working when an event
    gains an optional field (docs/evolution.md). Every field it knows keeps its rules; the value
    objects inside (Money, Guest) stay closed shapes, shared with the strict commands."""

    aggregate_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    """The version of this model's data; bumped (with an upcaster from the one before) by a change
    that an old reader or old data would not survive (`innkeeper_contracts.upcasting`)."""

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
