"""The projector refuses on the wire what the commands refuse: data no command can produce is parked at
once (the contracts' rules, one definition for both), an envelope whose own fields break them is
dead-lettered as malformed."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import orjson
import pytest
from projector_builders import HOTEL, Log, room, stay

from innkeeper_contracts import EventEnvelope, HotelRegistered, StayBooked
from innkeeper_contracts.values import MAX_ROOMS
from projector.deliveries import envelope_of
from projector.planner import plan_batch
from projector.store.memory import MemoryStore

G = "g1"


def registered(log: Log) -> EventEnvelope:
    rooms = [room("DBL", 5, 100), room("STE", 2, 90)]
    return log.add(HOTEL, HotelRegistered(hotel_id=HOTEL, name="Sea", city="Faro", stars=4, room_types=rooms))


def with_data(envelope: EventEnvelope, **changes: Any) -> EventEnvelope:
    return envelope.model_copy(update={"data": {**envelope.data, **changes}})


def rooms_of(envelope: EventEnvelope, *changes: dict[str, Any]) -> list[dict[str, Any]]:
    return [room | change for room, change in zip(envelope.data["room_types"], changes, strict=False)]


async def refusal(envelopes: list[EventEnvelope]) -> str:
    plan = await plan_batch(MemoryStore(), G, envelopes, Log())
    [failure] = plan.failed
    assert failure.kind == "refused"  # parked at its first failure: no retry can fix it
    return failure.reason


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"code": "DBL"}, "room type codes must be unique within a hotel: DBL more than once"),
        (
            {"nightly_rate": {"amount": "90.00", "currency": "USD"}},
            "a hotel prices in one currency, not EUR, USD",
        ),
        ({"capacity": MAX_ROOMS}, "a hotel has at most 100000 rooms"),
    ],
)
async def test_a_hotel_no_registration_could_make_is_refused(changes: dict[str, Any], says: str) -> None:
    log = Log()
    hotel = registered(log)
    rooms = rooms_of(hotel, {}, changes)
    if "capacity" in changes:  # eleven types of the most rooms a type has
        rooms = [rooms[1] | {"code": f"R{n}"} for n in range(11)]
    reason = await refusal([with_data(hotel, room_types=rooms)])
    assert reason.startswith("invalid event: HotelRegistered data:")
    assert says in reason


@pytest.mark.parametrize(
    ("total", "says"),
    [
        (
            {"amount": "150.00", "currency": "EUR"},
            "total_price is 150.00, but 2 nights at 100.00 make 200.00",
        ),
        ({"amount": "200.00", "currency": "USD"}, "total_price is in USD, the nightly rate in EUR"),
    ],
)
async def test_a_stay_priced_other_than_its_nights_at_the_rate_is_refused(
    total: dict[str, str], says: str
) -> None:
    log = Log()
    hotel = registered(log)
    booking = uuid.uuid4()
    booked = log.add(booking, StayBooked(**stay(booking, "DBL", date(2027, 3, 1), 2)))
    reason = await refusal([hotel, with_data(booked, total_price=total)])
    assert reason.startswith("invalid event: StayBooked data:")
    assert says in reason


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        (
            "correlation_id",
            "c\x00",
            "correlation_id: contains a control or format character U+0000 at index 1",
        ),
        ("causation_id", "x" * 100_000, "causation_id: String should have at most 255 characters"),
        ("partition_key", "\u202ehotel", "partition_key: contains a control or format character U+202E"),
        ("event_type", "Stay Booked", "event_type: String should match pattern"),
    ],
)
def test_an_envelope_whose_own_fields_break_the_rules_is_malformed(field: str, value: str, says: str) -> None:
    envelope = registered(Log()).model_dump(mode="json") | {field: value}
    reason = envelope_of(orjson.dumps(envelope))
    assert isinstance(reason, str)
    assert reason.startswith(f"malformed message: {says}")
