"""Behaviour of the contracts: validation, money, routing keys, envelopes, tokens."""

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from pydantic import ValidationError

from innkeeper_contracts import (
    EVENT_TYPES,
    BookStay,
    ConsistencyToken,
    EventEnvelope,
    Money,
    RegisterHotel,
    StayBooked,
    UnknownEventTypeError,
)

GUEST = {"guest_id": "g-1", "name": "Ada", "email": "ada@example.org"}
RATE = {"amount": "120.00", "currency": "EUR"}


def book_stay(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "hotel_id": str(uuid4()),
        "room_type": "DBL",
        "guest": GUEST,
        "check_in": "2030-05-01",
        "check_out": "2030-05-04",
        "guests": 2,
    }
    return body | overrides


def test_money_is_sent_as_a_two_place_string_and_never_a_float() -> None:
    money = Money(amount=Decimal("120"), currency="EUR")
    assert money.model_dump(mode="json") == {"amount": "120.00", "currency": "EUR"}
    assert (money * 3).amount == Decimal("360.00")


@pytest.mark.parametrize("amount", ["1.005", "-1.00", "abc"])
def test_money_rejects_bad_amounts(amount: str) -> None:
    with pytest.raises(ValidationError):
        Money.model_validate({"amount": amount, "currency": "EUR"})


def test_money_rejects_lowercase_currency() -> None:
    with pytest.raises(ValidationError, match="currency"):
        Money.model_validate({"amount": "1.00", "currency": "eur"})


def test_book_stay_accepts_a_valid_stay() -> None:
    command = BookStay.model_validate(book_stay())
    assert (command.check_out - command.check_in).days == 3


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"check_out": "2030-05-01"}, "check_out must be after check_in"),
        ({"check_out": "2030-06-01"}, "at most 30 nights"),
        ({"guests": 0}, "greater than or equal to 1"),
        ({"guest": GUEST | {"email": "nope"}}, "email"),
        ({"unexpected": 1}, "Extra inputs are not permitted"),
    ],
)
def test_book_stay_rejects_invalid_input(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        BookStay.model_validate(book_stay(**overrides))


def test_register_hotel_needs_unique_room_type_codes() -> None:
    room = {"code": "DBL", "name": "Double", "capacity": 3, "max_guests": 2, "nightly_rate": RATE}
    with pytest.raises(ValidationError, match="unique"):
        RegisterHotel.model_validate({"name": "H", "city": "Oslo", "stars": 3, "room_types": [room, room]})


def test_every_event_has_an_aggregate_routing_key() -> None:
    keys = {cls.routing_key() for cls in EVENT_TYPES.values()}
    assert "booking.stay_booked" in keys
    assert "hotel.hotel_registered" in keys
    assert all(key.split(".")[0] in {"hotel", "booking"} for key in keys)


def test_envelope_round_trips_its_typed_event() -> None:
    hotel_id, booking_id = uuid4(), uuid4()
    event = StayBooked(
        booking_id=booking_id,
        hotel_id=hotel_id,
        room_type="DBL",
        guest=GUEST,  # type: ignore[arg-type]
        check_in=date(2030, 5, 1),
        check_out=date(2030, 5, 2),
        nights=1,
        guests=1,
        nightly_rate=Money.model_validate(RATE),
        total_price=Money.model_validate(RATE),
        booked_at=datetime(2030, 4, 1, tzinfo=UTC),
    )
    envelope = EventEnvelope(
        event_id=uuid4(),
        event_type="StayBooked",
        schema_version=2,
        aggregate_type="booking",
        aggregate_id=booking_id,
        aggregate_version=1,
        global_position=7,
        partition_key=str(hotel_id),
        occurred_at=datetime.now(UTC),
        correlation_id="c-1",
        causation_id="m-1",
        data=event.model_dump(mode="json"),
    )
    parsed = EventEnvelope.model_validate_json(envelope.model_dump_json())
    assert parsed.event() == event
    assert parsed.routing_key == "booking.stay_booked"


def test_envelope_with_unknown_type_says_so() -> None:
    with pytest.raises(UnknownEventTypeError, match="Nope"):
        EventEnvelope.model_validate(
            {
                "event_id": str(uuid4()),
                "event_type": "Nope",
                "schema_version": 1,
                "aggregate_type": "x",
                "aggregate_id": str(uuid4()),
                "aggregate_version": 1,
                "global_position": 1,
                "partition_key": "p",
                "occurred_at": "2030-01-01T00:00:00Z",
                "correlation_id": "c",
                "causation_id": "c",
                "data": {},
            }
        ).event()


def test_consistency_token_round_trips() -> None:
    token = ConsistencyToken(aggregate_id=uuid4(), aggregate_version=3, global_position=42)
    assert ConsistencyToken.decode(token.encode()) == token


AN_ID = "0b6a1c9e-3f4d-4e5a-9b7c-2d1e0f9a8b7c"


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        f"+1.{AN_ID}.1",
        f"1_0.{AN_ID}.1",
        f"1.{{{AN_ID}}}.1",
        f"1.urn:uuid:{AN_ID}.1",
        f"0.{AN_ID}.1",
        f"1.{AN_ID}.0",
        f"1.{AN_ID.upper()}.1",
        f"99999999999999999999.{AN_ID}.1",
        f"1.{AN_ID}.1.",
    ],
)
def test_consistency_token_accepts_only_what_encode_writes(token: str) -> None:
    with pytest.raises(ValueError, match="consistency token"):
        ConsistencyToken.decode(token)
