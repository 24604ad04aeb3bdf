"""A stay: which room type, which nights; the rules its dates must follow; what it costs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from uuid import UUID

from command_service.domain.errors import InvalidCommandError, PriceTooHighError
from innkeeper_contracts import AmountTooLargeError, Money
from innkeeper_contracts.commands import BOOKING_HORIZON_DAYS
from innkeeper_contracts.money import MAX_NIGHTS


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


def ensure_stay_dates(check_in: date, check_out: date, today: date) -> None:
    """Dates are valid, the stay is 1 to 30 nights, and it starts between today and the booking horizon
    (`BOOKING_HORIZON_DAYS` ahead)."""
    nights = (check_out - check_in).days
    if nights < 1:
        raise InvalidCommandError.on_field("check_out", "check_out must be after check_in", "date_order")
    if nights > MAX_NIGHTS:
        message = f"a stay is at most {MAX_NIGHTS} nights, not {nights}"
        raise InvalidCommandError.on_field("check_out", message, "too_many_nights")
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
