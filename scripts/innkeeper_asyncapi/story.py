"""The story the AsyncAPI examples tell: a hotel in Bergen registered, a stay booked there and cancelled
three days ahead (half refunded), another booking of the hotel cancelled late, and the first guest's
personal data erased at their request. Plain values, by command and event; `examples` builds the
messages from them through the contracts. Commands carry the guest's personal data in clear; events
carry it sealed under the guest's data key (`SEALED`: real AES-256-GCM texts, under a key not kept)."""

from __future__ import annotations

from typing import Any

HOTEL_ID = "0b7f3c52-5d0e-4c8a-9a57-1f2e6d4c3b10"
BOOKING_ID = "5a1c9e27-8f43-4b6d-b2e0-7c3d9f1a4e85"
GUEST = {"guest_id": "guest-7f3a", "name": "Ada Lovelace", "email": "ada@example.com"}
CORRELATION_ID = "9b2f6d0c4e8a4f1b8c3d5e7a9b1c2d3e"
IDEMPOTENCY_KEY = "partner-portal:order-20270611-0042"
SENDER = "partner-portal"  # a broker user AMQP_SENDERS maps to the `service` role
EUR = {"currency": "EUR"}
STAY = {"check_in": "2027-06-11", "check_out": "2027-06-14"}

_ROOM = {"room_type": "DBL"}
_HOTEL = {"hotel_id": HOTEL_ID}
_BOOKING = {"booking_id": BOOKING_ID, **_HOTEL}
_PRICE = {"total_price": {"amount": "360.00", **EUR}}
_REFUND = {"refund": {"amount": "180.00", **EUR}}  # cancelled three days ahead: half back
REGISTERED_AT = "2027-03-01T08:00:00Z"
BOOKED_AT = "2027-05-20T09:30:00Z"
CANCELLED_AT = "2027-06-08T10:00:00Z"
ALERTED_AT = "2027-06-10T16:05:00Z"
ERASED_AT = "2027-07-01T09:00:00Z"
GUEST_KEY_ID = "3f0c8a52-6b1d-4e7a-9c2f-5d8e1b4a7c90"
_SEALED_BY = f"sealed:v1:{GUEST_KEY_ID}:"
SEALED = {
    "Ada Lovelace": f"{_SEALED_BY}7OdRR5CrTjuFXtU1WflyAcTW-KEnsooQWaougs0LEa2TJjkdItgamQ",
    "ada@example.com": f"{_SEALED_BY}cDCyp3T9QzgMXebYA8uDjISNvaiIGYprC8sajrfi0hhS0jdIrdgu_TBzdg",
    "ada@analytical.example": f"{_SEALED_BY}4mZZsALDUU1FB7PbFRJma1cDRWRGK2Idx2KmJ3BlWzpkbmiKFkltAz"
    "L0IkAI_REpuaU",
    "The conference moved to September.": f"{_SEALED_BY}4H-hGiU6TveAwlwPVO5LQMXWefbae832-dDP3jjkTIyspQ-Fep"
    "ZjEy2Hza9kspGNaw4kS9Ky1lwSE3G5zgQ",
}
"""A personal text of the story → as an event carries it, sealed under the guest's data key."""
_SEALED_GUEST = {**GUEST, "name": SEALED[GUEST["name"]], "email": SEALED[GUEST["email"]]}

COMMAND_BODIES: dict[str, dict[str, Any]] = {
    "RegisterHotel": {
        **_HOTEL,
        "name": "Hotel Bryggen",
        "city": "Bergen",
        "stars": 4,
        "room_types": [
            {
                "code": "DBL",
                "name": "Double",
                "capacity": 12,
                "max_guests": 2,
                "nightly_rate": {"amount": "120.00", **EUR},
            }
        ],
        "management_email": "management@bryggen.example",
    },
    "ChangeRoomCapacity": {**_HOTEL, **_ROOM, "capacity": 14},
    "SetNightlyRate": {**_HOTEL, **_ROOM, "nightly_rate": {"amount": "135.00", **EUR}},
    "SetManagementContact": {**_HOTEL, "email": "night-manager@bryggen.example"},
    "BookStay": {
        **_BOOKING,
        **_ROOM,
        "guest": GUEST,
        **STAY,
        "guests": 2,
    },
    "ChangeGuestContact": {"booking_id": BOOKING_ID, "email": "ada@analytical.example"},
    "CancelBooking": {"booking_id": BOOKING_ID, "reason": "The conference moved to September."},
    "EraseGuestData": {"guest_id": GUEST["guest_id"]},
}

EVENT_DATA: dict[str, dict[str, Any]] = {
    "HotelRegistered": COMMAND_BODIES["RegisterHotel"],
    "RoomCapacityChanged": {**_HOTEL, **_ROOM, "capacity": 14, "previous_capacity": 12},
    "NightlyRateSet": {
        **_HOTEL,
        **_ROOM,
        "nightly_rate": {"amount": "135.00", **EUR},
        "previous_rate": {"amount": "120.00", **EUR},
    },
    "ManagementContactSet": {
        **_HOTEL,
        "email": "night-manager@bryggen.example",
        "previous_email": "management@bryggen.example",
    },
    "StayBooked": {
        **_BOOKING,
        **_ROOM,
        "guest": _SEALED_GUEST,
        **STAY,
        "nights": 3,
        "guests": 2,
        "nightly_rate": {"amount": "120.00", **EUR},
        **_PRICE,
        "booked_at": BOOKED_AT,
    },
    "BookingCancelled": {
        **_BOOKING,
        **_ROOM,
        "guest_id": GUEST["guest_id"],
        **STAY,
        "reason": SEALED[COMMAND_BODIES["CancelBooking"]["reason"]],
        "cancelled_at": CANCELLED_AT,
        "refund_policy": "half",
        **_REFUND,
    },
    "GuestContactChanged": {
        **_BOOKING,
        "guest_id": GUEST["guest_id"],
        "email": SEALED["ada@analytical.example"],
        "changed_at": "2027-06-01T12:00:00Z",
    },
    "RefundIssued": {
        **_BOOKING,
        "guest_id": GUEST["guest_id"],
        "amount": {"amount": "180.00", **EUR},
        "policy": "half",
    },
    "GuestNotificationRequested": {
        **_BOOKING,
        "guest_id": GUEST["guest_id"],
        "email": _SEALED_GUEST["email"],
        "template": "booking_cancelled",
        **_REFUND,
        "guest_name": _SEALED_GUEST["name"],
        "hotel_name": "Hotel Bryggen",
        **STAY,
        **_PRICE,
        "refund_policy": "half",
    },
    "ManagementAlertRaised": {  # another booking of the hotel, cancelled the day before check-in
        "booking_id": "e3b5c7d9-2f4a-4b6c-8d0e-1f3a5b7c9d2e",
        **_HOTEL,
        "alert_id": "c4d8e2f6-1a3b-4c5d-8e9f-0a1b2c3d4e5f",
        "kinds": ["late_cancellation"],
        "message": "Booking cancelled 19 hours before check-in (3 nights, 360.00 EUR, no refund).",
        **_PRICE,
        "refund": {"amount": "0.00", **EUR},
        "raised_at": ALERTED_AT,
        "hotel_name": "Hotel Bryggen",
        "management_email": "management@bryggen.example",
        **STAY,
    },
    "GuestDataErased": {
        **_BOOKING,
        "guest_id": GUEST["guest_id"],
        "erased_at": ERASED_AT,
        "key_ids": [GUEST_KEY_ID],
    },
}

OCCURRED_AT = {
    "HotelRegistered": REGISTERED_AT,
    "StayBooked": BOOKED_AT,
    "ManagementAlertRaised": ALERTED_AT,
    "GuestDataErased": ERASED_AT,
}
"""When each event happened; the hotel's later changes and the cancellation's events: at the cancellation."""
