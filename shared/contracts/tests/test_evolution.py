"""Events that evolve: readers tolerate fields they do not know, old data is lifted by upcasters, data
newer than the reader is refused with a reason; commands stay strict."""

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from pydantic import ValidationError

from innkeeper_contracts import EVENT_TYPES, BookStay, EventEnvelope, RefundIssued, StayBooked, upcasting
from innkeeper_contracts.upcasting import (
    MissingUpcasterError,
    Recorded,
    TooNewSchemaVersionError,
    chain_gaps,
    upcast,
)

OCCURRED = datetime(2030, 4, 1, 9, 30, tzinfo=UTC)
MONEY = {"amount": "120.00", "currency": "EUR"}


def stay_v1(**changes: Any) -> dict[str, Any]:
    """A StayBooked's data as version 1 wrote it: no `booked_at`."""
    return {
        "booking_id": str(uuid4()),
        "hotel_id": str(uuid4()),
        "room_type": "DBL",
        "guest": {"guest_id": "g", "name": "Ann", "email": "ann@example.org"},
        "check_in": "2030-05-01",
        "check_out": "2030-05-02",
        "nights": 1,
        "guests": 1,
        "nightly_rate": MONEY,
        "total_price": MONEY,
    } | changes


def envelope(event_type: str, version: int, data: dict[str, Any], **changes: Any) -> EventEnvelope:
    return EventEnvelope.model_validate(
        {
            "event_id": str(uuid4()),
            "event_type": event_type,
            "schema_version": version,
            "aggregate_type": "booking",
            "aggregate_id": str(uuid4()),
            "aggregate_version": 1,
            "global_position": 1,
            "partition_key": "p",
            "occurred_at": OCCURRED.isoformat(),
            "correlation_id": "c-1",
            "causation_id": "m-1",
            "data": data,
        }
        | changes
    )


def refund(**changes: Any) -> dict[str, Any]:
    ids = {"booking_id": str(uuid4()), "hotel_id": str(uuid4()), "guest_id": "g"}
    return ids | {"amount": MONEY, "policy": "full"} | changes


def test_a_reader_ignores_fields_it_does_not_know_on_the_envelope_and_the_event() -> None:
    later = envelope("RefundIssued", 1, refund(reference="R-1"), trace_flags="01")
    event = later.event()
    assert isinstance(event, RefundIssued)
    assert not hasattr(event, "reference")
    assert "trace_flags" not in later.model_dump()


def test_tolerance_keeps_the_rules_of_every_known_field() -> None:
    with pytest.raises(ValidationError) as raised:
        envelope("RefundIssued", 1, refund(reference="R-1", policy="most")).event()
    assert [error["loc"] for error in raised.value.errors()] == [("policy",)]
    with pytest.raises(ValidationError, match="correlation_id"):
        envelope("RefundIssued", 1, refund(), correlation_id="c\x00", trace_flags="01")
    with pytest.raises(ValidationError, match="guest_id"):  # the text rule, whatever else comes along
        envelope("RefundIssued", 1, refund(guest_id="g\u202e", reference="R-1")).event()


def test_value_objects_inside_an_event_stay_closed_shapes() -> None:
    with pytest.raises(ValidationError, match=r"amount\.cents"):
        envelope("RefundIssued", 1, refund(amount=MONEY | {"cents": 12000})).event()


def test_commands_stay_strict() -> None:
    command = {
        "hotel_id": str(uuid4()),
        "room_type": "DBL",
        "guest": {"name": "Ann", "email": "ann@example.org"},
        "check_in": "2030-05-01",
        "check_out": "2030-05-02",
        "guests": 1,
    }
    assert BookStay.model_validate(command)
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        BookStay.model_validate(command | {"rooms": 2})


def test_a_version_1_stay_is_read_as_version_2_booked_when_it_was_logged() -> None:
    data = stay_v1()
    old = envelope("StayBooked", 1, data)
    event = old.event()
    assert isinstance(event, StayBooked)
    assert event.booked_at == OCCURRED
    lifted = old.upcast()
    assert lifted.schema_version == StayBooked.schema_version == 3
    assert lifted.data == data | {"booked_at": "2030-04-01T09:30:00Z"}
    assert lifted.event() == event
    assert old.data == data  # the envelope read is left as it was


def test_current_data_passes_unchanged() -> None:
    current = envelope("StayBooked", 3, stay_v1(booked_at="2030-03-31T08:00:00+00:00"))
    assert current.upcast() is current
    event = current.event()
    assert isinstance(event, StayBooked)
    assert event.booked_at == datetime(2030, 3, 31, 8, tzinfo=UTC)


def test_version_2_needs_its_booked_at_and_a_time_zone() -> None:
    with pytest.raises(ValidationError, match="booked_at"):
        envelope("StayBooked", 2, stay_v1()).event()
    with pytest.raises(ValidationError, match="booked_at"):
        envelope("StayBooked", 2, stay_v1(booked_at="2030-03-31T08:00:00")).event()


@pytest.mark.parametrize(("event_type", "version"), [("StayBooked", 4), ("RefundIssued", 2)])
def test_data_newer_than_the_reader_is_refused_with_the_reason(event_type: str, version: int) -> None:
    newer = envelope(event_type, version, stay_v1() if event_type == "StayBooked" else refund())
    known = EVENT_TYPES[event_type].schema_version
    expected = (
        f"{event_type} data of schema version {version} is newer than this reader knows \\(up to {known}\\)"
    )
    with pytest.raises(TooNewSchemaVersionError, match=expected):
        newer.event()
    with pytest.raises(TooNewSchemaVersionError):
        newer.upcast()


def test_the_chain_lifts_one_version_at_a_time_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    def add(step: str) -> upcasting.Upcaster:
        return lambda data, recorded: {**data, "steps": [*data.get("steps", []), step]}

    monkeypatch.setitem(upcasting.UPCASTERS, ("Thing", 1), add("1→2"))
    monkeypatch.setitem(upcasting.UPCASTERS, ("Thing", 2), add("2→3"))
    original = {"n": 1}
    lifted = upcast("Thing", 1, original, Recorded(OCCURRED), to=3)
    assert lifted == {"n": 1, "steps": ["1→2", "2→3"]}
    assert original == {"n": 1}
    assert upcast("Thing", 2, original, Recorded(OCCURRED), to=3) == {"n": 1, "steps": ["2→3"]}
    assert chain_gaps("Thing", 1, 4) == [3]
    with pytest.raises(MissingUpcasterError, match="no upcaster lifts Thing data from schema version 3"):
        upcast("Thing", 1, original, Recorded(OCCURRED), to=4)


def test_every_event_has_a_full_chain_from_version_1() -> None:
    assert {name: chain_gaps(name, 1, cls.schema_version) for name, cls in EVENT_TYPES.items()} == {
        name: [] for name in EVENT_TYPES
    }
