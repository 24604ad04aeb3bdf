"""What the OpenAPI document says of each command's route: summary, tag, who may call, and request
examples (client generators and people read them; a unit test sends each example to the service)."""

from __future__ import annotations

from typing import Any

from .http_binding import BOOKING_ID, HOTEL_ID, OperationDocs, RequestExample

DOUBLE_RATE = {"amount": "120.00", "currency": "EUR"}
_STAY = {"hotel_id": HOTEL_ID, "room_type": "DBL", "check_in": "2030-07-01", "check_out": "2030-07-04"}
_GUEST = {"name": "Ada Lovelace", "email": "ada@example.org"}


def _example(summary: str, value: dict[str, Any]) -> RequestExample:
    return {"summary": summary, "value": value}


def _staff(command: str) -> str:
    return f"staff of the hotel, an admin, or a service granted `{command}`."


REGISTER_HOTEL = OperationDocs(
    "Register a hotel",
    "hotels",
    "an admin, or a service granted `RegisterHotel`.",
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
CHANGE_ROOM_CAPACITY = OperationDocs(
    "Change a room type's capacity",
    "hotels",
    _staff("ChangeRoomCapacity"),
    {"twelve": _example("Twelve rooms of the type", {"capacity": 12})},
)
SET_NIGHTLY_RATE = OperationDocs(
    "Set a room type's nightly rate",
    "hotels",
    _staff("SetNightlyRate"),
    {"rate": _example("A new nightly rate", {"nightly_rate": DOUBLE_RATE})},
)
SET_MANAGEMENT_CONTACT = OperationDocs(
    "Set the hotel's management contact",
    "hotels",
    _staff("SetManagementContact"),
    {"contact": _example("The manager's address", {"email": "manager@seaside.example"})},
)
BOOK_STAY = OperationDocs(
    "Book a stay",
    "bookings",
    "a guest for themself (`guest.guest_id` is their token's subject, filled in when left out), staff of "
    "the hotel, an admin, or a service granted `BookStay`; the others name the guest's id.",
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
CANCEL_BOOKING = OperationDocs(
    "Cancel a booking",
    "bookings",
    "the booking's guest (another guest's booking answers 404), staff of its hotel, an admin, or a "
    "service granted `CancelBooking`.",
    {"plans": _example("The guest's plans changed", {"reason": "plans changed"})},
)
