"""In-memory stand-ins for the ports, so the pipeline and handlers run without a database."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Self
from uuid import UUID

from command_service.adapters.guest_keys import KeySealer
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
from innkeeper_kit.personal import GuestKey, GuestKeyStore, MasterKeys, is_sealed, open_sealed, sealed_key_id

KEYS = GuestKeyStore(MasterKeys.parse(MasterKeys.new_setting("test")))


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
    guest_keys: dict[str, GuestKey] = field(default_factory=dict)
    every_key: dict[UUID, GuestKey] = field(default_factory=dict)
    """Every key ever made, erased ones too: what a test opens with to see what was sealed."""

    def opened(self, sealed: str) -> str:
        """The clear text of a sealed text (under any key ever made); a text not sealed fails."""
        assert is_sealed(sealed), f"not sealed: {sealed!r}"
        return open_sealed(sealed, self.every_key[sealed_key_id(sealed)].data_key)


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

    async def of_guest(self, guest_id: str) -> list[Booking]:
        return [await self.get(b.id) for b in self._store.bookings.values() if b.guest.guest_id == guest_id]

    async def save_erasures(self, bookings: Sequence[Booking]) -> None:
        self._seen.extend(bookings)


class FakeGuestKeys:
    def __init__(self, store: Store) -> None:
        self._store = store
        self.made: dict[str, GuestKey] = {}
        self.erased: set[str] = set()

    async def sealer_for(self, guest_id: str, *, likely_new: bool = False) -> KeySealer:
        key = self.made.get(guest_id) or (
            None if guest_id in self.erased else self._store.guest_keys.get(guest_id)
        )
        if key is None:
            key = self.made[guest_id] = KEYS.new_key()
            self._store.every_key[key.key_id] = key
        return KeySealer(key)

    async def erase(self, guest_id: str) -> list[UUID]:
        key = None if guest_id in self.erased else self._store.guest_keys.get(guest_id)
        self.erased.add(guest_id)
        self.made.pop(guest_id, None)
        return [] if key is None else [key.key_id]

    def commit(self) -> None:
        for guest_id in self.erased:
            self._store.guest_keys.pop(guest_id, None)
        self._store.guest_keys.update(self.made)


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
        self.guest_keys = FakeGuestKeys(store)

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
        self.guest_keys.commit()
        if last is None:  # no event: the log's last one (as `eventless_answer`)
            head = self._store.events[-1] if self._store.events else (Committed.NO_AGGREGATE, 1, None)
            committed = Committed(head[0], head[1], max(len(self._store.events), 1), recorded=False)
        else:
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
