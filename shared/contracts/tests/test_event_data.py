"""Events hold no data the commands refuse: the projector parses them with these contracts, so what a
command may never produce is refused on the wire too (one definition of each rule, for both)."""

from typing import Any
from uuid import uuid4

import pytest
from pydantic import BaseModel, ValidationError

from innkeeper_contracts import HotelRegistered, RegisterHotel, StayBooked
from innkeeper_contracts.values import MAX_HOTEL_ROOMS, MAX_ROOMS


def room(code: str = "DBL", currency: str = "EUR", capacity: int = 3) -> dict[str, Any]:
    rate = {"amount": "120.00", "currency": currency}
    return {"code": code, "name": "Double", "capacity": capacity, "max_guests": 2, "nightly_rate": rate}


def hotel(*rooms: dict[str, Any]) -> dict[str, Any]:
    return {
        "hotel_id": str(uuid4()),
        "name": "Harbour Inn",
        "city": "Bergen",
        "stars": 4,
        "room_types": rooms,
    }


def errors(model: type[BaseModel], data: dict[str, Any]) -> list[tuple[tuple[Any, ...], str, str]]:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(data)
    return [(error["loc"], error["type"], error["msg"]) for error in raised.value.errors()]


@pytest.mark.parametrize("model", [RegisterHotel, HotelRegistered])
def test_a_hotel_has_unique_room_type_codes_in_one_currency(model: type[BaseModel]) -> None:
    assert errors(model, hotel(room("DBL"), room("DBL"))) == [
        (
            ("room_types",),
            "duplicate_room_type",
            "room type codes must be unique within a hotel: DBL more than once",
        )
    ]
    assert errors(model, hotel(room("DBL"), room("STE", currency="USD"))) == [
        (("room_types",), "mixed_currencies", "a hotel prices in one currency, not EUR, USD")
    ]


@pytest.mark.parametrize("model", [RegisterHotel, HotelRegistered])
def test_a_hotel_has_at_most_its_bound_of_rooms_in_all(model: type[BaseModel]) -> None:
    per_type = MAX_HOTEL_ROOMS // MAX_ROOMS
    at_the_bound = [room(f"R{n}", capacity=MAX_ROOMS) for n in range(per_type)]
    assert model.model_validate(hotel(*at_the_bound))
    over = [*at_the_bound, room("ONE", capacity=1)]
    assert errors(model, hotel(*over)) == [
        (
            ("room_types",),
            "too_many_rooms",
            f"a hotel has at most {MAX_HOTEL_ROOMS} rooms, not {MAX_HOTEL_ROOMS + 1}",
        )
    ]
    description = model.model_json_schema()["properties"]["room_types"]["description"]
    assert f"at most {MAX_HOTEL_ROOMS} rooms" in description


def booked(**changes: Any) -> dict[str, Any]:
    return {
        "booking_id": str(uuid4()),
        "hotel_id": str(uuid4()),
        "room_type": "DBL",
        "guest": {"guest_id": "g", "name": "Ann", "email": "ann@example.org"},
        "check_in": "2030-05-01",
        "check_out": "2030-05-04",
        "nights": 3,
        "guests": 1,
        "nightly_rate": {"amount": "120.00", "currency": "EUR"},
        "total_price": {"amount": "360", "currency": "EUR"},
        "booked_at": "2030-04-01T09:00:00Z",
    } | changes


def test_a_stays_price_is_its_nights_at_the_rate_in_the_rates_currency() -> None:
    assert StayBooked.model_validate(booked()).total_price.amount == 360
    assert errors(StayBooked, booked(total_price={"amount": "1.00", "currency": "EUR"})) == [
        (("total_price",), "total_mismatch", "total_price is 1.00, but 3 nights at 120.00 make 360.00")
    ]
    assert errors(StayBooked, booked(total_price={"amount": "360.00", "currency": "USD"})) == [
        (("total_price",), "currency_mismatch", "total_price is in USD, the nightly rate in EUR")
    ]


def test_a_price_is_not_checked_against_nights_that_are_wrong_themselves() -> None:
    """One error, on the field at fault: not a second one on the price computed from it."""
    assert [loc for loc, *_ in errors(StayBooked, booked(nights=2))] == [("nights",)]
