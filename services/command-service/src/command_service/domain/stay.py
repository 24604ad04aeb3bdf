"""A booked stay: the contracts' `Stay` (its nights and date rules) at one room type of a hotel; the rules
its dates must follow on the day, and its room type, as the command's errors; what it costs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from command_service.domain.errors import (
    InvalidCommandError,
    NoRoomAvailableError,
    PriceTooHighError,
    TooManyGuestsError,
)
from innkeeper_contracts import AmountTooLargeError, BookStay, FieldError, Money
from innkeeper_contracts import stay as contract

if TYPE_CHECKING:
    from command_service.domain.hotel import RoomType


@dataclass(frozen=True)
class Stay(contract.Stay):
    """Which rooms a booking holds: one room of a type, every night from check-in to check-out."""

    hotel_id: UUID = field(kw_only=True)
    room_type: str = field(kw_only=True)

    def fields(self) -> dict[str, Any]:
        """The stay as the booking's events carry it."""
        return {"hotel_id": self.hotel_id, "room_type": self.room_type, "check_in": self.check_in,
                "check_out": self.check_out}  # fmt: skip

    @classmethod
    def booked_by(cls, command: BookStay) -> Stay:
        return cls(
            command.check_in, command.check_out, hotel_id=command.hotel_id, room_type=command.room_type
        )


def ensure_bookable_check_in(check_in: date, today: date) -> None:
    """The rules of a stay's dates that depend on the clock (`innkeeper_contracts.stay`), refused on the
    field at fault. What depends only on the command (check-out 1 to `MAX_NIGHTS` nights after check-in)
    the contract's schema checks: a `BookStay` cannot hold other dates, and the `StayBooked` a booking
    records checks them again, so a Booking never has another stay."""
    try:
        contract.ensure_bookable_check_in(check_in, today)
    except contract.StayDatesError as error:
        raise InvalidCommandError.on_field(error.field, error.message, error.kind) from None


def ensure_bookable(command: BookStay, room_type: RoomType, today: date) -> str:
    """The rules a booking must follow beside its dates: the room type takes its guests and has rooms, and
    it names its guest (a guest's own id is filled in from their token before). The guest's id."""
    ensure_bookable_check_in(command.check_in, today)
    if command.guests > room_type.max_guests:
        raise TooManyGuestsError(
            f"room type {room_type.code!r} takes at most {room_type.max_guests} guests, not {command.guests}"
        )
    if room_type.capacity == 0:
        raise NoRoomAvailableError(f"room type {room_type.code!r} has no rooms")
    if command.guest.guest_id is None:
        raise InvalidCommandError(
            "guest.guest_id: a booking made for someone else names its guest",
            errors=[FieldError(loc=["body", "guest", "guest_id"], msg="required", type="missing")],
        )
    return command.guest.guest_id


def stay_price(nightly_rate: Money, nights: int) -> Money:
    """Every night at the rate; PriceTooHighError when that is more than an amount can be."""
    try:
        return nightly_rate * nights
    except AmountTooLargeError as error:
        raise PriceTooHighError(f"the stay's price is too high: {error}") from None
