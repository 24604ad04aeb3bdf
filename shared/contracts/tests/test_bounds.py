"""Bounds in the contracts: amounts that fit `numeric(12,2)`, ISO 4217 currencies, one currency per
hotel, stays of 1 to 30 nights, lengths, list sizes; and that the JSON Schema states them."""

from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from pydantic import BaseModel, ValidationError

from innkeeper_contracts import (
    AmountTooLargeError,
    BookingCancelled,
    BookStay,
    CancelBooking,
    HotelRegistered,
    Money,
    RegisterHotel,
    SetNightlyRateBody,
    StayBooked,
)
from innkeeper_contracts.money import MAX_AMOUNT, MAX_NIGHTLY_RATE
from innkeeper_contracts.stay import MAX_NIGHTS
from innkeeper_contracts.values import Guest

EUR = "EUR"
LONG_EMAIL = f"{'a' * 60}@{'b' * 60}.{'c' * 60}.{'d' * 60}.{'e' * 10}.org"
"""258 characters, each label and the local part within their own limits: too long only as a whole."""


def rate(amount: str, currency: str = EUR) -> dict[str, str]:
    return {"amount": amount, "currency": currency}


def room(code: str = "DBL", amount: str = "120.00", currency: str = EUR) -> dict[str, Any]:
    kind = {"name": "Double", "capacity": 3, "max_guests": 2}
    return kind | {"code": code, "nightly_rate": rate(amount, currency)}


def hotel(*rooms: dict[str, Any]) -> dict[str, Any]:
    return {"name": "Harbour Inn", "city": "Bergen", "stars": 4, "room_types": list(rooms) or [room()]}


def errors(model: type[BaseModel], data: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(data)
    return [(error["loc"], error["type"]) for error in raised.value.errors()]


def test_the_highest_rate_for_the_longest_stay_fits_the_stored_type() -> None:
    assert Decimal("333333333.33") == MAX_NIGHTLY_RATE
    top = Money(amount=MAX_NIGHTLY_RATE, currency=EUR)
    assert (top * MAX_NIGHTS).amount <= MAX_AMOUNT == Decimal("9999999999.99")


def test_a_price_above_the_largest_amount_is_a_clear_error_not_a_validation_error() -> None:
    with pytest.raises(AmountTooLargeError, match="above the largest amount"):
        Money(amount=MAX_AMOUNT, currency=EUR) * 2


@pytest.mark.parametrize("amount", ["333333333.34", "9999999999.99"])
def test_a_nightly_rate_above_the_bound_is_refused_where_a_rate_is_set(amount: str) -> None:
    assert errors(SetNightlyRateBody, {"nightly_rate": rate(amount)}) == [
        (("nightly_rate",), "nightly_rate_too_high")
    ]
    assert errors(RegisterHotel, hotel(room(amount=amount))) == [
        (("room_types", 0, "nightly_rate"), "nightly_rate_too_high")
    ]
    assert SetNightlyRateBody.model_validate({"nightly_rate": rate("333333333.33")})


def test_an_amount_beyond_the_stored_type_is_refused() -> None:
    assert [loc for loc, _ in errors(Money, rate("10000000000.00"))] == [("amount",)]


def test_a_hotel_prices_in_one_currency() -> None:
    assert errors(RegisterHotel, hotel(room("DBL"), room("STE", currency="USD"))) == [
        (("room_types",), "mixed_currencies")
    ]


def test_room_type_codes_are_unique_and_at_most_fifty() -> None:
    assert errors(RegisterHotel, hotel(room("DBL"), room("DBL"))) == [
        (("room_types",), "duplicate_room_type")
    ]
    many = [room(f"R{number}") for number in range(51)]
    assert errors(RegisterHotel, hotel(*many)) == [(("room_types",), "too_long")]
    registered = {"hotel_id": str(uuid4()), **hotel(*many)}
    assert errors(HotelRegistered, registered) == [(("room_types",), "too_long")]


@pytest.mark.parametrize(
    ("model", "data", "loc"),
    [
        (RegisterHotel, hotel() | {"name": "x" * 201}, ("name",)),
        (RegisterHotel, hotel() | {"city": "x" * 201}, ("city",)),
        (CancelBooking, {"booking_id": str(uuid4()), "reason": "x" * 201}, ("reason",)),
        (Guest, {"guest_id": "g" * 129, "name": "Ann", "email": "ann@example.org"}, ("guest_id",)),
        (Guest, {"guest_id": "g", "name": "Ann", "email": LONG_EMAIL}, ("email",)),
    ],
)
def test_every_string_has_a_length_limit(
    model: type[BaseModel], data: dict[str, Any], loc: tuple[str]
) -> None:
    assert [error_loc for error_loc, _ in errors(model, data)] == [loc]


GUEST = {"guest_id": "g", "name": "Ann", "email": "ann@example.org"}
IDS = {"booking_id": str(uuid4()), "hotel_id": str(uuid4()), "room_type": "DBL"}
MAY = {"check_in": "2030-05-01", "check_out": "2030-05-03"}


def test_a_stay_is_one_to_thirty_nights_on_the_check_out_field() -> None:
    stay = IDS | MAY | {"guests": 1, "guest": GUEST}
    assert errors(BookStay, stay | {"check_out": "2030-06-01"}) == [(("check_out",), "too_many_nights")]
    assert errors(BookStay, stay | {"check_out": "2030-05-01"}) == [(("check_out",), "date_order")]
    schema = BookStay.model_json_schema()["properties"]
    assert "730 days" in schema["check_in"]["description"]
    assert "30 nights" in schema["check_out"]["description"]


def test_events_do_not_carry_stays_that_break_the_bounds() -> None:
    price = {"nightly_rate": rate("10.00"), "total_price": rate("20.00")}
    booked = IDS | MAY | price | {"guest": GUEST, "guests": 1, "booked_at": "2030-04-01T09:00:00Z"}
    assert StayBooked.model_validate(booked | {"nights": 2})
    assert errors(StayBooked, booked | {"nights": 3}) == [(("nights",), "nights_mismatch")]
    endless = booked | {"check_out": "9999-12-31", "nights": 2932897}
    assert errors(StayBooked, endless) == [
        (("check_out",), "too_many_nights"),
        (("nights",), "less_than_equal"),
    ]
    cancellation = {"reason": "r", "cancelled_at": "2030-01-01T00:00:00Z", "refund_policy": "none"}
    cancelled = IDS | cancellation | {"guest_id": "g", "refund": rate("0")}
    assert BookingCancelled.model_validate(cancelled | MAY)
    forever = cancelled | {"check_in": "0001-01-01", "check_out": "9999-12-31"}
    assert errors(BookingCancelled, forever) == [(("check_out",), "too_many_nights")]


def test_the_schema_states_the_bounds() -> None:
    schema = SetNightlyRateBody.model_json_schema()
    money = schema["$defs"]["Money"]["properties"]
    assert money["amount"]["type"] == "string"  # its pattern: test_amounts.py
    assert "EUR" in money["currency"]["enum"]
    assert "ABC" not in money["currency"]["enum"]
    assert str(MAX_NIGHTLY_RATE) in schema["properties"]["nightly_rate"]["description"]
