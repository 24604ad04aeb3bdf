"""In-memory stand-ins for the ports, so the pipeline and handlers run without a database."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Self
from uuid import UUID

from command_service.application.ports import Committed, StoredAnswer
from command_service.application.requests import CommandRequest
from command_service.domain.aggregate import Aggregate
from command_service.domain.booking import Booking, HotelContact, Stay
from command_service.domain.errors import (
    BookingNotFoundError,
    CapacityBelowBookedError,
    HotelNotFoundError,
    NoRoomAvailableError,
)
from command_service.domain.hotel import Hotel, RoomType
from innkeeper_contracts import CommandRejected, DomainEvent


@dataclass
class FixedClock:
    """A clock that says what the test wants."""

    current: datetime = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current


@dataclass
class Store:
    """What the fake database holds across units of work."""

    hotels: dict[UUID, Hotel] = field(default_factory=dict)
    bookings: dict[UUID, Booking] = field(default_factory=dict)
    booked: dict[tuple[UUID, str, date], int] = field(default_factory=lambda: defaultdict(int))
    events: list[tuple[UUID, int, DomainEvent]] = field(default_factory=list)
    answers: dict[tuple[str, str], StoredAnswer] = field(default_factory=dict)
    """By (caller's scope, idempotency key)."""


class FakeHotels:
    def __init__(self, store: Store, seen: list[Aggregate]) -> None:
        self._store, self._seen = store, seen

    async def add(self, hotel: Hotel) -> None:
        self._seen.append(hotel)

    async def get(self, hotel_id: UUID, *, lock_room_type: str | None = None) -> Hotel:
        if hotel_id not in self._store.hotels:
            raise HotelNotFoundError(f"no hotel {hotel_id}")
        return self._store.hotels[hotel_id]

    async def room_type_for_booking(self, hotel_id: UUID, code: str) -> RoomType:
        return (await self.get(hotel_id)).room_type(code)

    async def save(self, hotel: Hotel) -> None:
        self._seen.append(hotel)


class FakeBookings:
    def __init__(self, store: Store, seen: list[Aggregate]) -> None:
        self._store, self._seen = store, seen

    async def add(self, booking: Booking) -> None:
        self._seen.append(booking)

    async def get(self, booking_id: UUID) -> Booking:
        if booking_id not in self._store.bookings:
            raise BookingNotFoundError(f"no booking {booking_id}")
        booking = self._store.bookings[booking_id]
        hotel = self._store.hotels[booking.stay.hotel_id]  # read with the booking, as PostgreSQL joins it
        booking.hotel = HotelContact(hotel.name, hotel.management_email)
        return booking

    async def save(self, booking: Booking) -> None:
        self._seen.append(booking)


class FakeInventory:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def reserve(self, stay: Stay, room_type: RoomType) -> None:
        keys = [(stay.hotel_id, stay.room_type, night) for night in stay.nights]
        if any(self._store.booked[key] >= room_type.capacity for key in keys):
            raise NoRoomAvailableError("no room")
        for key in keys:
            self._store.booked[key] += 1

    async def release(self, stay: Stay) -> None:
        for night in stay.nights:
            self._store.booked[(stay.hotel_id, stay.room_type, night)] -= 1

    async def most_booked(self, hotel_id: UUID, room_type: str, from_night: date) -> int:
        counts = [
            n
            for (h, r, d), n in self._store.booked.items()
            if (h, r) == (hotel_id, room_type) and d >= from_night
        ]
        return max(counts, default=0)

    async def set_capacity(self, hotel_id: UUID, room_type: str, from_night: date, capacity: int) -> None:
        if capacity < await self.most_booked(hotel_id, room_type, from_night):
            raise CapacityBelowBookedError("below booked")


class FakeUnitOfWork:
    """Changes become visible in the store only on commit (a crude transaction)."""

    def __init__(self, store: Store, request: CommandRequest) -> None:
        self._store, self._request = store, request
        self._seen: list[Aggregate] = []
        self.hotels = FakeHotels(store, self._seen)
        self.bookings = FakeBookings(store, self._seen)
        self.inventory = FakeInventory(store)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        return None

    async def commit(self) -> Committed:
        last: tuple[UUID, int] | None = None
        for aggregate in self._seen:
            first = aggregate.saved_version + 1
            for offset, event in enumerate(aggregate.take_pending_events()):
                self._store.events.append((aggregate.id, first + offset, event))
                last = (aggregate.id, first + offset)
            if isinstance(aggregate, Hotel):
                self._store.hotels[aggregate.id] = aggregate
            elif isinstance(aggregate, Booking):
                self._store.bookings[aggregate.id] = aggregate
        assert last is not None
        committed = Committed(last[0], last[1], len(self._store.events))
        if key := self._request.idempotency_key:
            self._store.answers[(self._request.idempotency_scope, key)] = StoredAnswer(
                self._request.name, self._request.request_hash(), self._request.accepted_as(committed)
            )
        return committed


@dataclass
class FakeUnitOfWorkFactory:
    store: Store

    def __call__(self, request: CommandRequest) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store, request)


@dataclass
class FakeIdempotencyStore:
    store: Store

    async def find(self, scope: str, key: str) -> StoredAnswer | None:
        return self.store.answers.get((scope, key))

    async def remember_rejection(
        self, key: str, request: CommandRequest, rejection: CommandRejected
    ) -> StoredAnswer | None:
        scoped = (request.idempotency_scope, key)
        if scoped in self.store.answers:
            return self.store.answers[scoped]
        self.store.answers[scoped] = StoredAnswer(request.name, request.request_hash(), rejection)
        return None
