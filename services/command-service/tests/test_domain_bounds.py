"""The bounds the aggregates keep: the booking horizon, a stay of 1 to 30 nights, a price that fits its
column, one currency per hotel, the rooms of a hotel."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from command_builders import RATE, book_stay, guest_of
from pydantic import ValidationError
from test_domain import NOW, TODAY, booked, registered_hotel

from command_service.application.rejections import problem_of
from command_service.domain.booking import Booking
from command_service.domain.errors import (
    CurrencyMismatchError,
    InvalidCommandError,
    PriceTooHighError,
    TooManyRoomsError,
)
from command_service.domain.hotel import Hotel, RoomType
from innkeeper_contracts import Money, NightlyRateSet, RegisterHotel, RoomCapacityChanged, RoomTypeSpec
from innkeeper_contracts.values import MAX_HOTEL_ROOMS, MAX_ROOMS


def test_booking_beyond_the_horizon_is_refused_by_the_aggregate_too() -> None:
    with pytest.raises(InvalidCommandError, match="too far ahead"):
        booked(registered_hotel(), TODAY + timedelta(days=731))


@pytest.mark.parametrize(
    ("nights", "says"), [(0, "check_out must be after check_in"), (31, "at most 30 nights")]
)
def test_a_booking_never_holds_a_stay_the_contract_refuses(nights: int, says: str) -> None:
    """Check-out 1 to 30 nights after check-in has one home, the contract; a command built without it
    (`model_copy` does not validate) still cannot make such a booking: the StayBooked checks again."""
    hotel = registered_hotel()
    unchecked = book_stay(hotel.id, TODAY).model_copy(update={"check_out": TODAY + timedelta(days=nights)})
    with pytest.raises(ValidationError, match=says):
        Booking.book(uuid4(), unchecked, guest_of(unchecked), hotel.room_type("DBL"), NOW)


def test_a_stay_priced_above_the_largest_amount_is_a_business_rule() -> None:
    hotel = registered_hotel()
    legacy_rate = Money(amount=Decimal("5000000000.00"), currency="EUR")  # stored before rates were bounded
    room_type = RoomType(hotel.id, "DBL", "Double", 2, 2, legacy_rate, "Inn")
    too_dear = book_stay(hotel.id, TODAY, nights=2)
    with pytest.raises(PriceTooHighError, match=r"9999999999\.99"):
        Booking.book(uuid4(), too_dear, guest_of(too_dear), room_type, NOW)
    one_night = book_stay(hotel.id, TODAY, nights=1)
    Booking.book(uuid4(), one_night, guest_of(one_night), room_type, NOW)


def test_a_rate_in_another_currency_than_the_hotels_is_refused() -> None:
    hotel = registered_hotel()
    with pytest.raises(CurrencyMismatchError, match="EUR"):
        hotel.set_nightly_rate("DBL", Money(amount=Decimal("100.00"), currency="USD"))
    assert hotel.pending_events == []
    hotel.set_nightly_rate("DBL", Money(amount=Decimal("100.00"), currency="EUR"))
    [event] = hotel.pending_events
    assert isinstance(event, NightlyRateSet)
    assert event.nightly_rate.amount == Decimal("100.00")


def test_a_capacity_change_cannot_take_a_hotel_over_its_rooms_in_all() -> None:
    """Registering checks the total in the contract; a capacity change is the one way to grow it after."""
    full = [
        RoomTypeSpec(code=f"R{n}", name="Room", capacity=MAX_ROOMS, max_guests=2, nightly_rate=RATE)
        for n in range(10)
    ]
    empty = RoomTypeSpec(code="SGL", name="Single", capacity=0, max_guests=1, nightly_rate=RATE)
    command = RegisterHotel(name="Inn", city="Oslo", stars=3, room_types=[*full, empty])
    hotel = Hotel.register(command, uuid4(), NOW)
    hotel.take_pending_events()
    assert sum(room_type.capacity for room_type in hotel.room_types.values()) == MAX_HOTEL_ROOMS
    with pytest.raises(TooManyRoomsError, match=f"would have {MAX_HOTEL_ROOMS + 1} rooms") as refused:
        hotel.change_capacity("SGL", 1, most_booked=0)
    assert problem_of(refused.value)[1] == 409  # the status the table gives it
    assert hotel.pending_events == []
    assert hotel.room_type("SGL").capacity == 0
    hotel.change_capacity("R0", MAX_ROOMS - 1, most_booked=0)
    hotel.change_capacity("SGL", 1, most_booked=0)  # as many rooms as before
    assert [event.capacity for event in hotel.pending_events if isinstance(event, RoomCapacityChanged)] == [
        MAX_ROOMS - 1,
        1,
    ]


def test_a_hotel_over_the_bound_from_before_it_may_still_shrink() -> None:
    rooms = [RoomType(uuid4(), f"R{n}", "Room", MAX_ROOMS, 2, RATE, "Inn") for n in range(11)]
    hotel = Hotel(
        uuid4(),
        name="Inn",
        city="Oslo",
        stars=3,
        room_types=rooms,
        registered_at=NOW,
        management_email=None,
        version=1,
    )
    hotel.change_capacity("R0", MAX_ROOMS - 1, most_booked=0)
    with pytest.raises(TooManyRoomsError):
        hotel.change_capacity("R0", MAX_ROOMS, most_booked=0)
