"""A stay: which room type, which nights; the rules its dates must follow on the day; what it costs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from uuid import UUID

from command_service.domain.errors import InvalidCommandError, PriceTooHighError
from innkeeper_contracts import AmountTooLargeError, Money
from innkeeper_contracts.commands import BOOKING_HORIZON_DAYS


@dataclass(frozen=True)
class Stay:
    """Which rooms a booking holds: one room of a type, every night from check-in to check-out."""

    hotel_id: UUID
    room_type: str
    check_in: date
    check_out: date

    @cached_property
    def nights(self) -> list[date]:
        """Every night of the stay, in order (computed once: a booking asks several times)."""
        count = (self.check_out - self.check_in).days
        return [self.check_in + timedelta(days=offset) for offset in range(count)]


def ensure_bookable_check_in(check_in: date, today: date) -> None:
    """The rules of a stay's dates that depend on the clock: check-in is today or later, and at most
    `BOOKING_HORIZON_DAYS` after today. What depends only on the command (check-out 1 to `MAX_NIGHTS`
    nights after check-in) has its one home in the contract: a `BookStay` cannot hold other dates, and
    the `StayBooked` a booking records checks them again, so a Booking never has another stay."""
    if check_in < today:
        message = f"check_in {check_in} is in the past (today is {today})"
        raise InvalidCommandError.on_field("check_in", message, "date_in_past")
    if (check_in - today).days > BOOKING_HORIZON_DAYS:
        latest = today + timedelta(days=BOOKING_HORIZON_DAYS)
        message = f"check_in {check_in} is too far ahead: at most {BOOKING_HORIZON_DAYS} days, {latest}"
        raise InvalidCommandError.on_field("check_in", message, "beyond_booking_horizon")


def stay_price(nightly_rate: Money, nights: int) -> Money:
    """Every night at the rate; PriceTooHighError when that is more than an amount can be."""
    try:
        return nightly_rate * nights
    except AmountTooLargeError as error:
        raise PriceTooHighError(f"the stay's price is too high: {error}") from None
