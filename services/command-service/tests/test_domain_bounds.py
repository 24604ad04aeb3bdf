"""The bounds the aggregates keep: the booking horizon, a price that fits its column, one currency per
hotel."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from command_builders import book_stay
from test_domain import NOW, TODAY, booked, registered_hotel

from command_service.domain.booking import Booking
from command_service.domain.errors import CurrencyMismatchError, InvalidCommandError, PriceTooHighError
from command_service.domain.hotel import RoomType
from innkeeper_contracts import Money, NightlyRateSet


def test_booking_beyond_the_horizon_is_refused_by_the_aggregate_too() -> None:
    with pytest.raises(InvalidCommandError, match="too far ahead"):
        booked(registered_hotel(), TODAY + timedelta(days=731))


def test_a_stay_priced_above_the_largest_amount_is_a_business_rule() -> None:
    hotel = registered_hotel()
    legacy_rate = Money(amount=Decimal("5000000000.00"), currency="EUR")  # stored before rates were bounded
    room_type = RoomType(hotel.id, "DBL", "Double", 2, 2, legacy_rate)
    with pytest.raises(PriceTooHighError, match=r"9999999999\.99"):
        Booking.book(uuid4(), book_stay(hotel.id, TODAY, nights=2), room_type, NOW)
    Booking.book(uuid4(), book_stay(hotel.id, TODAY, nights=1), room_type, NOW)


def test_a_rate_in_another_currency_than_the_hotels_is_refused() -> None:
    hotel = registered_hotel()
    with pytest.raises(CurrencyMismatchError, match="EUR"):
        hotel.set_nightly_rate("DBL", Money(amount=Decimal("100.00"), currency="USD"))
    assert hotel.pending_events == []
    hotel.set_nightly_rate("DBL", Money(amount=Decimal("100.00"), currency="EUR"))
    [event] = hotel.pending_events
    assert isinstance(event, NightlyRateSet)
    assert event.nightly_rate.amount == Decimal("100.00")
