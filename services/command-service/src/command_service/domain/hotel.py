"""The Hotel aggregate: a hotel, its room types (capacity, who fits, what a night costs) and whom its
management alerts go to."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from command_service.domain.aggregate import Aggregate
from command_service.domain.errors import (
    CapacityBelowBookedError,
    CurrencyMismatchError,
    RoomTypeNotFoundError,
    TooManyRoomsError,
)
from innkeeper_contracts import (
    HotelRegistered,
    ManagementContactSet,
    Money,
    NightlyRateSet,
    RegisterHotel,
    RoomCapacityChanged,
    RoomTypeSpec,
)
from innkeeper_contracts.values import MAX_HOTEL_ROOMS


@dataclass(frozen=True)
class RoomType:
    """A kind of room in a hotel, with the hotel's name: a booking tells its guest where they stay, and
    gets it with the room type it reads anyway (no command renames a hotel, so a cached copy is exact)."""

    hotel_id: UUID
    code: str
    name: str
    capacity: int
    max_guests: int
    nightly_rate: Money
    hotel_name: str

    @classmethod
    def from_spec(cls, hotel_id: UUID, hotel_name: str, spec: RoomTypeSpec) -> RoomType:
        return cls(
            hotel_id, spec.code, spec.name, spec.capacity, spec.max_guests, spec.nightly_rate, hotel_name
        )

    def priced_at(self, rate: Money) -> RoomType:
        if rate.currency != self.nightly_rate.currency:
            raise CurrencyMismatchError(
                f"hotel {self.hotel_id} prices in {self.nightly_rate.currency}; "
                f"a nightly rate in {rate.currency} is refused"
            )
        return replace(self, nightly_rate=rate)


class Hotel(Aggregate):
    """A hotel: registered once, then its room capacities, rates and management contact change."""

    aggregate_type = "hotel"

    def __init__(
        self,
        hotel_id: UUID,
        *,
        name: str,
        city: str,
        stars: int,
        room_types: list[RoomType],
        registered_at: datetime,
        management_email: str | None,
        version: int,
    ) -> None:
        super().__init__(hotel_id, version)
        self.name, self.city, self.stars, self.registered_at = name, city, stars, registered_at
        self.room_types = {room_type.code: room_type for room_type in room_types}
        self.management_email = management_email

    @property
    def partition_key(self) -> str:
        return str(self.id)

    @classmethod
    def register(cls, command: RegisterHotel, hotel_id: UUID, now: datetime) -> Hotel:
        room_types = [RoomType.from_spec(hotel_id, command.name, spec) for spec in command.room_types]
        hotel = cls(
            hotel_id,
            name=command.name,
            city=command.city,
            stars=command.stars,
            room_types=room_types,
            registered_at=now,
            management_email=command.management_email,
            version=0,
        )
        hotel._record(
            HotelRegistered(
                hotel_id=hotel_id,
                name=command.name,
                city=command.city,
                stars=command.stars,
                room_types=command.room_types,
                management_email=command.management_email,
            )
        )
        return hotel

    def room_type(self, code: str) -> RoomType:
        try:
            return self.room_types[code]
        except KeyError:
            raise RoomTypeNotFoundError(f"hotel {self.id} has no room type {code!r}") from None

    def change_capacity(self, code: str, capacity: int, *, most_booked: int) -> None:
        """Set the number of rooms; `most_booked` is the highest booked count on any coming night."""
        room_type = self.room_type(code)
        if capacity < most_booked:
            raise CapacityBelowBookedError(
                f"room type {code!r} has {most_booked} rooms booked on some night; "
                f"capacity cannot go down to {capacity}"
            )
        rooms = sum(other.capacity for other in self.room_types.values()) - room_type.capacity + capacity
        # A hotel over the bound since before there was one may still shrink.
        if rooms > MAX_HOTEL_ROOMS and capacity > room_type.capacity:
            raise TooManyRoomsError(
                f"hotel {self.id} would have {rooms} rooms with {capacity} of type {code!r}; "
                f"a hotel has at most {MAX_HOTEL_ROOMS}"
            )
        self.room_types[code] = replace(room_type, capacity=capacity)
        self._record(
            RoomCapacityChanged(
                hotel_id=self.id, room_type=code, capacity=capacity, previous_capacity=room_type.capacity
            )
        )

    def set_nightly_rate(self, code: str, rate: Money) -> None:
        """A new rate, in the currency the room type is priced in (one currency per hotel)."""
        room_type = self.room_type(code)
        self.room_types[code] = room_type.priced_at(rate)
        self._record(
            NightlyRateSet(
                hotel_id=self.id, room_type=code, nightly_rate=rate, previous_rate=room_type.nightly_rate
            )
        )

    def set_management_contact(self, email: str) -> None:
        """Management alerts of this hotel go to `email` from now on (set again, it is recorded again:
        the event is the audit trail of who set it)."""
        previous, self.management_email = self.management_email, email
        self._record(ManagementContactSet(hotel_id=self.id, email=email, previous_email=previous))
