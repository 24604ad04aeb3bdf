"""A reproducible stream of Innkeeper events (hotels, bookings, cancellations, rate and capacity changes).

Built the way the command service would: aggregate versions without gaps, global positions in commit
order, a booking never overbooks, and the expected read model can be computed from it independently.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from innkeeper_contracts import (
    BookingCancelled,
    DomainEvent,
    EventEnvelope,
    GuestNotificationRequested,
    HotelRegistered,
    ManagementAlertRaised,
    Money,
    NightlyRateSet,
    RefundIssued,
    RoomCapacityChanged,
    RoomTypeSpec,
    SealedGuest,
    StayBooked,
)

START = date(2027, 3, 1)


@dataclass
class Story:
    """Events in commit order, and what the read model should say about them."""

    seed: int = 7
    events: list[EventEnvelope] = field(default_factory=list)
    hotels: dict[str, dict[str, int]] = field(default_factory=dict)  # hotel -> room type -> capacity
    active: dict[str, tuple[str, str, list[date]]] = field(
        default_factory=dict
    )  # booking -> hotel, type, nights
    cancelled: set[str] = field(default_factory=set)
    versions: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)

    def add(self, aggregate_id: str, hotel_id: str, event: DomainEvent) -> EventEnvelope:
        version = self.versions.get(aggregate_id, 0) + 1
        self.versions[aggregate_id] = version
        position = len(self.events) + 1
        envelope = EventEnvelope(
            event_id=uuid.uuid4(),
            event_type=event.event_type(),
            schema_version=event.schema_version,
            aggregate_type=event.aggregate_type,
            aggregate_id=uuid.UUID(aggregate_id),
            aggregate_version=version,
            global_position=position,
            partition_key=hotel_id,
            occurred_at=datetime(2027, 1, 1, tzinfo=UTC) + timedelta(seconds=position),
            correlation_id=f"corr-{position}",
            causation_id=f"cmd-{position}",
            data=event.model_dump(mode="json"),
        )
        self.events.append(envelope)
        return envelope

    def register_hotel(self) -> str:
        hotel_id = str(uuid.uuid4())
        rooms = {"DBL": self.random.randint(1, 3), "STE": self.random.randint(1, 2)}
        specs = [
            RoomTypeSpec(
                code=code,
                name=f"Room {code}",
                capacity=capacity,
                max_guests=2,
                nightly_rate=Money(amount=Decimal(self.random.randint(60, 300)), currency="EUR"),
            )
            for code, capacity in rooms.items()
        ]
        city = self.random.choice(["Lisbon", "Porto", "Faro"])
        event = HotelRegistered(
            hotel_id=uuid.UUID(hotel_id),
            name=f"Hotel {len(self.hotels)}",
            city=city,
            stars=self.random.randint(1, 5),
            room_types=specs,
        )
        self.add(hotel_id, hotel_id, event)
        self.hotels[hotel_id] = rooms
        return hotel_id

    def booked(self, hotel_id: str, code: str) -> Counter[date]:
        return Counter(
            n for h, c, nights in self.active.values() if (h, c) == (hotel_id, code) for n in nights
        )

    def book(
        self,
        hotel_id: str,
        room_type: str | None = None,
        booking_id: str | None = None,
        guest: SealedGuest | None = None,
    ) -> str | None:
        """A booking (None when its nights are full); its guest's name and address are clear text (as
        in events logged before sealing) unless `guest` gives them sealed."""
        code = room_type or self.random.choice(list(self.hotels[hotel_id]))
        check_in = START + timedelta(days=self.random.randint(0, 6))
        nights = [check_in + timedelta(days=n) for n in range(self.random.randint(1, 3))]
        taken = self.booked(hotel_id, code)
        if room_type is None and any(taken[n] >= self.hotels[hotel_id][code] for n in nights):
            return None
        booking_id = booking_id or str(uuid.uuid4())
        rate = Money(amount=Decimal(100), currency="EUR")
        event = StayBooked(
            booking_id=uuid.UUID(booking_id),
            hotel_id=uuid.UUID(hotel_id),
            room_type=code,
            guest=guest
            or SealedGuest(
                guest_id=f"guest-{self.random.randint(1, 5)}", name="Ann", email="ann@example.com"
            ),
            check_in=nights[0],
            check_out=nights[-1] + timedelta(days=1),
            nights=len(nights),
            guests=1,
            nightly_rate=rate,
            total_price=rate * len(nights),
            booked_at=datetime(2027, 1, 1, tzinfo=UTC) + timedelta(seconds=len(self.events) + 1),
        )
        self.add(booking_id, hotel_id, event)
        self.active[booking_id] = (hotel_id, code, nights)
        return booking_id

    def cancel(self, booking_id: str, reason: str = "plans changed", email: str = "ann@example.com") -> None:
        hotel_id, code, nights = self.active.pop(booking_id)
        self.cancelled.add(booking_id)
        ids: dict[str, Any] = {"booking_id": uuid.UUID(booking_id), "hotel_id": uuid.UUID(hotel_id)}
        refund = Money(amount=Decimal(50), currency="EUR")
        now = datetime(2027, 2, 1, tzinfo=UTC)
        self.add(
            booking_id,
            hotel_id,
            BookingCancelled(
                **ids,
                room_type=code,
                guest_id="guest-1",
                check_in=nights[0],
                check_out=nights[-1] + timedelta(days=1),
                reason=reason,
                cancelled_at=now,
                refund_policy="half",
                refund=refund,
            ),
        )
        self.add(booking_id, hotel_id, RefundIssued(**ids, guest_id="guest-1", amount=refund, policy="half"))
        self.add(
            booking_id,
            hotel_id,
            GuestNotificationRequested(
                **ids,
                guest_id="guest-1",
                email=email,
                template="booking_cancelled",
                refund=refund,
            ),
        )
        if self.random.random() < 0.5:
            self.add(
                booking_id,
                hotel_id,
                ManagementAlertRaised(
                    **ids,
                    alert_id=uuid.uuid4(),
                    kinds=["late_cancellation"],
                    message="late",
                    total_price=refund,
                    refund=refund,
                    raised_at=now,
                ),
            )

    def change_hotel(self, hotel_id: str) -> None:
        code = self.random.choice(list(self.hotels[hotel_id]))
        hotel = uuid.UUID(hotel_id)
        if self.random.random() < 0.5:
            rate = Money(amount=Decimal(self.random.randint(50, 400)), currency="EUR")
            self.add(
                hotel_id,
                hotel_id,
                NightlyRateSet(hotel_id=hotel, room_type=code, nightly_rate=rate, previous_rate=rate),
            )
            return
        floor = max(self.booked(hotel_id, code).values(), default=0)
        capacity = max(floor, self.hotels[hotel_id][code] + self.random.choice([-1, 1]), 0)
        previous, self.hotels[hotel_id][code] = self.hotels[hotel_id][code], capacity
        self.add(
            hotel_id,
            hotel_id,
            RoomCapacityChanged(
                hotel_id=hotel, room_type=code, capacity=capacity, previous_capacity=previous
            ),
        )

    def generate(self, hotels: int, steps: int) -> Story:
        for _ in range(hotels):
            self.register_hotel()
        for _ in range(steps):
            self.step()
        return self

    def step(self) -> None:
        roll = self.random.random()
        hotel_id = self.random.choice(list(self.hotels))
        if roll < 0.6:
            self.book(hotel_id)
        elif roll < 0.85 and self.active:
            self.cancel(self.random.choice(sorted(self.active)))
        else:
            self.change_hotel(hotel_id)

    def expected_nights(self) -> dict[str, int]:
        """`<hotel>:<night>` → rooms booked, for nights with bookings."""
        booked: Counter[str] = Counter()
        for hotel_id, _, nights in self.active.values():
            for night in nights:
                booked[f"{hotel_id}:{night.isoformat()}"] += 1
        return dict(booked)
