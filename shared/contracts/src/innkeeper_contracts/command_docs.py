"""What the OpenAPI document says of each command's route: summary, tag and request
examples (client generators and people read them; a unit test sends each example to the service)."""

from __future__ import annotations

from typing import Any

from .http_binding import BOOKING_ID, HOTEL_ID, OperationDocs, RequestExample

DOUBLE_RATE = {"amount": "120.00", "currency": "EUR"}
_STAY = {"hotel_id": HOTEL_ID, "room_type": "DBL", "check_in": "2030-07-01", "check_out": "2030-07-04"}
_GUEST = {"name": "Ada Lovelace", "email": "ada@example.org"}


def _example(summary: str, value: dict[str, Any]) -> RequestExample:
    return {"summary": summary, "value": value}


def _one_example(summary: str, tag: str, name: str, example: str, value: dict[str, Any]) -> OperationDocs:
    """The docs of a route with one request example."""
    return OperationDocs(summary, tag, {name: _example(example, value)})


REGISTER_HOTEL = OperationDocs(
    "Register a hotel",
    "hotels",
    {
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
)
CHANGE_ROOM_CAPACITY = _one_example(
    "Change a room type's capacity", "hotels", "twelve", "Twelve rooms of the type", {"capacity": 12}
)
SET_NIGHTLY_RATE = _one_example(
    "Set a room type's nightly rate", "hotels", "rate", "A new nightly rate", {"nightly_rate": DOUBLE_RATE}
)
SET_MANAGEMENT_CONTACT = _one_example(
    "Set the hotel's management contact",
    "hotels",
    "contact",
    "The manager's address",
    {"email": "manager@seaside.example"},
)
BOOK_STAY = OperationDocs(
    "Book a stay",
    "bookings",
    {
        "guest": _example(
            "A guest books for themself (their id from the token)", {**_STAY, "guest": _GUEST, "guests": 2}
        ),
        "staff": _example(
            "Staff book for a guest, choosing the booking's id (a retry finds it made)",
            {"booking_id": BOOKING_ID, **_STAY, "guest": {"guest_id": "guest-42", **_GUEST}, "guests": 2},
        ),
    },
)
CANCEL_BOOKING = _one_example(
    "Cancel a booking", "bookings", "plans", "The guest's plans changed", {"reason": "plans changed"}
)
CHANGE_GUEST_CONTACT = _one_example(
    "Change the guest's e-mail address on a booking",
    "bookings",
    "new_address",
    "The guest's new address",
    {"email": "ada@example.net"},
)
ERASE_GUEST_DATA = OperationDocs("Erase a guest's personal data", "guests", {})
"""No request body (the path names the guest), so no example."""
