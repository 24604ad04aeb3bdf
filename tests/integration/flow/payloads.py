"""Command bodies for the whole-system stories (the full AMQP JSON; HTTP routes take the same)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4


def today() -> date:
    return datetime.now(UTC).date()


def room(code: str, capacity: int, rate: str, max_guests: int = 2) -> dict[str, Any]:
    money = {"amount": rate, "currency": "EUR"}
    return {"code": code, "name": f"Room {code}", "capacity": capacity, "max_guests": max_guests,
            "nightly_rate": money}  # fmt: skip


def register_hotel(name: str, city: str, stars: int, *rooms: dict[str, Any]) -> dict[str, Any]:
    return {"hotel_id": str(uuid4()), "name": name, "city": city, "stars": stars, "room_types": list(rooms)}


def book_stay(
    hotel_id: str, room_type: str, check_in: date, nights: int, guest_id: str | None = None
) -> dict[str, Any]:
    guest = guest_id or f"guest-{uuid4().hex[:8]}"
    return {
        "booking_id": str(uuid4()), "hotel_id": hotel_id, "room_type": room_type, "guests": 2,
        "guest": {"guest_id": guest, "name": "Ann Berg", "email": "ann@example.com"},
        "check_in": check_in.isoformat(), "check_out": (check_in + timedelta(days=nights)).isoformat(),
    }  # fmt: skip


def cancel_booking(booking_id: str, reason: str = "plans changed") -> dict[str, Any]:
    return {"booking_id": booking_id, "reason": reason}


def unique_city() -> str:
    return f"Bergen-{uuid4().hex[:6]}"
