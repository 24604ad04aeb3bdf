"""Request and answer examples of the command endpoints, for the OpenAPI document (client generators and
people read them); a unit test sends each request example to the app's own validation."""

from __future__ import annotations

from typing import Any

from fastapi.openapi.models import Example

from innkeeper_contracts import problem_type

HOTEL_ID = "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"
BOOKING_ID = "6f1c2d7e-3b4a-4c5d-9e8f-0a1b2c3d4e5f"
CORRELATION_ID = "931043bc5b5324766d229463fb4c2eb4"
DOUBLE_RATE = {"amount": "120.00", "currency": "EUR"}


def _example(summary: str, value: dict[str, Any]) -> Example:
    return {"summary": summary, "value": value}


REQUESTS: dict[str, dict[str, Example]] = {
    "RegisterHotel": {
        "seaside": _example(
            "A hotel with one room type",
            {
                "name": "Hotel Seaside",
                "city": "Lisbon",
                "stars": 4,
                "room_types": [
                    {
                        "code": "DBL",
                        "name": "Double",
                        "capacity": 10,
                        "max_guests": 2,
                        "nightly_rate": DOUBLE_RATE,
                    }
                ],
                "management_email": "manager@seaside.example",
            },
        )
    },
    "ChangeRoomCapacity": {"twelve": _example("Twelve rooms of the type", {"capacity": 12})},
    "SetNightlyRate": {"rate": _example("A new nightly rate", {"nightly_rate": DOUBLE_RATE})},
    "SetManagementContact": {
        "contact": _example("The manager's address", {"email": "manager@seaside.example"})
    },
    "BookStay": {
        "guest": _example(
            "A guest books for themself (their id from the token)",
            {
                "hotel_id": HOTEL_ID,
                "room_type": "DBL",
                "guest": {"name": "Ada Lovelace", "email": "ada@example.org"},
                "check_in": "2030-07-01",
                "check_out": "2030-07-04",
                "guests": 2,
            },
        ),
        "staff": _example(
            "Staff book for a guest, choosing the booking's id (a retry finds it made)",
            {
                "booking_id": BOOKING_ID,
                "hotel_id": HOTEL_ID,
                "room_type": "DBL",
                "guest": {"guest_id": "guest-42", "name": "Ada Lovelace", "email": "ada@example.org"},
                "check_in": "2030-07-01",
                "check_out": "2030-07-04",
                "guests": 2,
            },
        ),
    },
    "CancelBooking": {"plans": _example("The guest's plans changed", {"reason": "plans changed"})},
}


def accepted(command: str, *, booking: bool) -> dict[str, Any]:
    """The 202 answer of `command`, naming what it made or changed."""
    aggregate = BOOKING_ID if booking else HOTEL_ID
    ids = {"booking_id": BOOKING_ID} if booking else {}
    if command != "CancelBooking":
        ids["hotel_id"] = HOTEL_ID
    return {
        "status": "accepted",
        "command": command,
        "aggregate_id": aggregate,
        **ids,
        "consistency_token": f"42.{aggregate}.1",
        "correlation_id": CORRELATION_ID,
    }


def rejected(command: str, path: str) -> dict[str, Any]:
    """A 409 answer: the rule a command broke."""
    return {
        "type": problem_type("business-rule"),
        "title": "Business rule violated",
        "status": 409,
        "detail": "no DBL room is free on 2030-07-02",
        "instance": path,
        "correlation_id": CORRELATION_ID,
        "errors": [],
        "command": command,
    }
