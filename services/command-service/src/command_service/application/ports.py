"""What the use cases need from the outside world, as Protocols (adapters implement them)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Protocol
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
    recorded: bool = True
    """False for a command that recorded no event (erasing the data of a guest without bookings): the
    three fields above are then the log's last event when it committed, which its token names (a read
    with it waits for what came before), and its answer names no aggregate (`NO_AGGREGATE`)."""

    NO_AGGREGATE: ClassVar[UUID] = UUID(int=0)


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

    async def of_guest(self, guest_id: str) -> list[Booking]:
        """Every booking of the guest, oldest first."""
        ...

    async def save_erasures(self, bookings: Sequence[Booking]) -> None:
        """Store bookings whose one change is their guest's data erased, in one write (VersionConflictError
        if someone else saved one of them first)."""


class Sealer(Protocol):
    """Seals texts under one guest's data key."""

    def seal(self, text: str) -> str:
        """`text` sealed (`sealed:v1:<key id>:...`): only the guest's key opens it."""
        ...


class GuestKeys(Protocol):
    """The guests' data keys: a guest's personal data is sealed under theirs; erasing it erases the data."""

    async def sealer_for(self, guest_id: str, *, likely_new: bool = False) -> Sealer:
        """Seals under the guest's key, made with this unit of work when they have none. Data sealed under a
        key that an erasure deletes before the commit is never stored (RetryableConflictError: the command
        runs again, under the guest's new key). `likely_new`: do not look for a key first (a guest who has
        one makes the command run again, reading it)."""
        ...

    async def erase(self, guest_id: str) -> list[UUID]:
        """Delete the guest's key; the ids deleted (none when the guest had none left)."""
        ...


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

    @property
    def guest_keys(self) -> GuestKeys:
        """The guests' data keys, inside this unit of work."""
        ...

    async def commit(self) -> Committed:
        """Make the writes left to the end, append the recorded events, remember the answer under the
        idempotency key, commit; where the last event went (or the log's last one: `Committed.recorded`)."""
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
