"""A booked stay: the contracts' `Stay` (its nights and date rules) at one room type of a hotel; the rules
its dates must follow on the day, as the command's errors; what it costs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from command_service.domain.errors import InvalidCommandError, PriceTooHighError
from innkeeper_contracts import AmountTooLargeError, BookStay, Money
from innkeeper_contracts import stay as contract


@dataclass(frozen=True)
class Stay(contract.Stay):
    """Which rooms a booking holds: one room of a type, every night from check-in to check-out."""

    hotel_id: UUID = field(kw_only=True)
    room_type: str = field(kw_only=True)

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


def stay_price(nightly_rate: Money, nights: int) -> Money:
    """Every night at the rate; PriceTooHighError when that is more than an amount can be."""
    try:
        return nightly_rate * nights
    except AmountTooLargeError as error:
        raise PriceTooHighError(f"the stay's price is too high: {error}") from None
