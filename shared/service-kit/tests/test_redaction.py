"""The redaction processor on its own: which values go, which stay, and that clean lines are left alone."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import pytest

from innkeeper_kit.redaction import REDACTED, REDACTED_EMAIL, redact_personal_data, redact_text

GUEST = {"guest_id": "g-1", "name": "Ann Berg", "email": "ann@example.com"}


def redact(**fields: Any) -> dict[str, Any]:
    return dict(redact_personal_data(None, "info", fields))


def test_a_clean_line_is_the_same_objects() -> None:
    positions = [1, 2, 3]
    line = {"event": "command.accepted", "aggregate_id": str(UUID(int=1)), "positions": positions, "ms": 1.5}
    assert redact(**line) == line
    assert redact_personal_data(None, "info", dict(line))["positions"] is positions


@pytest.mark.parametrize(
    "key", ["email", "guest_email", "name", "guest_name", "guest", "Email", "GUEST_NAME"]
)
def test_values_under_personal_keys_are_redacted_whatever_their_type(key: str) -> None:
    assert redact(event="x", **{key: GUEST})[key] == REDACTED


def test_personal_keys_are_found_inside_dicts_and_lists_without_touching_the_callers_objects() -> None:
    booking = {"booking_id": "b-1", "guests": [{"Name": "Ann Berg", "nights": 2}], "guest": GUEST}
    line = redact(event="x", booking=booking)
    assert line["booking"] == {
        "booking_id": "b-1",
        "guests": [{"Name": REDACTED, "nights": 2}],
        "guest": REDACTED,
    }
    assert booking["guest"] is GUEST  # the caller's document is not changed
    assert GUEST["name"] == "Ann Berg"


@pytest.mark.parametrize(
    "text",
    [
        "mail to ann@example.com failed",
        "ANN.BERG+tag@Example.ORG",
        "ann%40example.com in a URL",
        "no TLD: ann@localhost",
    ],
)
def test_email_like_substrings_anywhere_are_redacted(text: str) -> None:
    line = redact(event=text, detail=(text, [text]))
    assert "ann" not in json.dumps(line).lower()
    assert REDACTED_EMAIL in line["event"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "E11000 full error: {'op': {'_id': 'b1', 'guest': {'name': 'Ann Berg', "
            "'email': 'ann@example.com'}, 'hotel_id': 'h1'}}",
            "E11000 full error: {'op': {'_id': 'b1', 'guest': '[redacted]', 'hotel_id': 'h1'}}",
        ),
        ('{"name": "Ann Berg", "room": "DBL"}', '{"name": "[redacted]", "room": "DBL"}'),
        ('{"guest_name":"Ann Berg","nights":2}', '{"guest_name":"[redacted]","nights":2}'),
        ("guest_name=Ann Berg room=DBL", "guest_name=[redacted] room=DBL"),
        ("Guest(guest_id='g-1', name=\"O'Brien\")", "Guest(guest_id='g-1', name=\"[redacted]\")"),
        ("booked guest=Guest(guest_id='g-1', name='Ann Berg') ok", "booked guest=[redacted] ok"),
        ("Name: Ann Berg\nnext", "Name: [redacted]\nnext"),
        ("hostname=db1 queue_name='q' host:5672", "hostname=db1 queue_name='q' host:5672"),
    ],
)
def test_personal_pairs_in_free_text_lose_their_values(text: str, expected: str) -> None:
    assert redact_text(text) == expected
    assert redact(event="x", error=text)["error"] == expected


def test_a_pydantic_error_loses_the_inputs_it_echoes() -> None:
    from pydantic import BaseModel, Field, ValidationError

    class Guest(BaseModel):
        name: str = Field(max_length=3)

    class Booking(BaseModel):
        guest: Guest
        nights: int

    with pytest.raises(ValidationError) as raised:
        Booking.model_validate({"guest": {"name": "Ann Berg", "email": "ann@example.com"}})
    text = redact_text(str(raised.value))
    assert "Ann Berg" not in text
    assert "ann@example.com" not in text
    assert "nights\n  Field required" in text  # what went wrong stays readable


def test_objects_rendered_by_their_repr_are_scrubbed_only_when_they_need_it() -> None:
    error = ValueError({"guest": GUEST})
    line = redact(event="x", error=error, id=UUID(int=1))
    assert "Ann Berg" not in line["error"]
    assert "ann@example.com" not in line["error"]
    assert line["id"] == UUID(int=1)
