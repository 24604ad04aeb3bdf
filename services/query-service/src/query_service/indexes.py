"""The indexes that make every read one indexed lookup, per read collection (base name)."""

from __future__ import annotations

from innkeeper_contracts.documents import BOOKINGS, HOTEL_CARDS, MANAGEMENT_ALERTS

IndexKeys = list[tuple[str, int]]

REQUIRED_INDEXES: dict[str, list[IndexKeys]] = {
    HOTEL_CARDS: [
        [("city", 1), ("price_from_minor", 1), ("_id", 1)],
        [("city", 1), ("stars", 1), ("_id", 1)],
        [("price_from_minor", 1), ("_id", 1)],
        [("stars", 1), ("_id", 1)],
    ],
    BOOKINGS: [[("guest.guest_id", 1), ("check_in", 1), ("_id", 1)]],
    MANAGEMENT_ALERTS: [[("raised_at", -1), ("_id", -1)], [("hotel_id", 1), ("raised_at", -1), ("_id", -1)]],
}
"""Lookups by `_id` (details, bookings, checkpoints) and `_id` ranges (hotel nights) need no more.
Descending reads walk these ascending indexes backwards."""
