"""What the use cases need from the outside world, as Protocols (adapters implement them)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from uuid import UUID

from command_service.application.requests import CommandRequest, Outcome
from command_service.domain.booking import Booking, Stay
from command_service.domain.hotel import Hotel, RoomType
from innkeeper_contracts import CommandRejected


@dataclass(frozen=True)
class Committed:
    """Where a committed command's last event went: its aggregate, version and global position."""

    aggregate_id: UUID
    aggregate_version: int
    global_position: int


class ServiceUnavailableError(Exception):
    """A dependency the command needs (PostgreSQL) cannot be reached, or has no connection free in time;
    nothing was written."""


class DatabaseTimeoutError(ServiceUnavailableError):
    """PostgreSQL cancelled a statement that ran or waited for a lock too long (statement_timeout,
    lock_timeout); nothing was written. Unlike an outage, the command itself may be at fault."""


class RetryableConflictError(Exception):
    """The database aborted the transaction (deadlock, serialization); running it again may succeed."""


class IdempotencyKeyTakenError(Exception):
    """Another request with the same idempotency key committed first."""


class HotelRepository(Protocol):
    """Stores Hotel aggregates."""

    async def add(self, hotel: Hotel) -> None:
        """Insert a new hotel (AlreadyExistsError if its id is taken)."""

    async def get(self, hotel_id: UUID, *, lock_room_type: str | None = None) -> Hotel:
        """Load a hotel, first locking one room type against bookings when asked."""
        ...

    async def room_type_for_booking(self, hotel_id: UUID, code: str) -> RoomType:
        """A room type to book, held against capacity and rate changes until the transaction ends;
        it may come from a cache, then `RoomInventory.reserve` holds it and checks it is unchanged."""
        ...

    async def save(self, hotel: Hotel) -> None:
        """Store the changes (VersionConflictError if someone else saved first)."""


class BookingRepository(Protocol):
    """Stores Booking aggregates."""

    async def add(self, booking: Booking) -> None:
        """Insert a new booking (AlreadyExistsError if its id is taken)."""

    async def get(self, booking_id: UUID) -> Booking:
        """Load a booking (BookingNotFoundError)."""
        ...

    async def save(self, booking: Booking) -> None:
        """Store the changes (VersionConflictError if someone else saved first)."""


class RoomInventory(Protocol):
    """Rooms booked per night and room type; never more than the capacity."""

    async def reserve(self, stay: Stay, room_type: RoomType) -> None:
        """Take one room on every night of the stay, or none (NoRoomAvailableError, by the commit at the
        latest); first hold the room type and check it is as given (else RetryableConflictError: run
        the command again)."""

    async def release(self, stay: Stay) -> None:
        """Give back the room on every night of the stay."""

    async def most_booked(self, hotel_id: UUID, room_type: str, from_night: date) -> int:
        """The highest number of rooms booked on any night from `from_night` on."""
        ...

    async def set_capacity(self, hotel_id: UUID, room_type: str, from_night: date, capacity: int) -> None:
        """Change the capacity of every night from `from_night` on (CapacityBelowBookedError)."""


class UnitOfWork(Protocol):
    """One atomic change: the aggregates, their events and the outbox commit together or not at all.
    The repositories may leave their writes to `commit`, which then raises what they would."""

    @property
    def hotels(self) -> HotelRepository:
        """The hotels, inside this unit of work."""
        ...

    @property
    def bookings(self) -> BookingRepository:
        """The bookings, inside this unit of work."""
        ...

    @property
    def inventory(self) -> RoomInventory:
        """The booked nights, inside this unit of work."""
        ...

    async def commit(self) -> Committed:
        """Make the writes left to the end, append the recorded events, remember the answer under the
        idempotency key, commit; where the last event went."""
        ...


class UnitOfWorkFactory(Protocol):
    """Opens a unit of work for one request."""

    def __call__(self, request: CommandRequest) -> AbstractAsyncContextManager[UnitOfWork]:
        """A context that begins the transaction and rolls back unless committed."""
        ...


@dataclass(frozen=True)
class StoredAnswer:
    """The first answer given under an idempotency key."""

    command: str
    request_hash: str
    outcome: Outcome


class IdempotencyStore(Protocol):
    """Answers remembered by idempotency key (accepted ones are stored by the unit of work)."""

    async def find(self, scope: str, key: str) -> StoredAnswer | None:
        """The answer stored under the caller's (`scope`) key, if any and not expired."""
        ...

    async def remember_rejection(
        self, key: str, request: CommandRequest, rejection: CommandRejected
    ) -> StoredAnswer | None:
        """Store a rejection; returns the answer already stored if another request was first."""
        ...
