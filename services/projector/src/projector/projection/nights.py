"""Hotel nights (availability / occupancy) and the sold-out nights on the hotel card.

A night document is derived from two sources: the card (capacity per room type) and the map
`_bookings` {booking id: room type} of active bookings that cover the night. Booking and cancelling
only add or remove one key of that map, and counts are always recomputed from it, so applying an
event a second time changes nothing (counts never double).

Why the map fits a document: the command service books a room type on a night at most as often as it
has rooms, and a hotel has at most `MAX_HOTEL_ROOMS` (100,000) rooms in all (the contracts), so a night
holds at most 100,000 entries of at most ~75 bytes of BSON each (a 36-character booking id, a code of up
to 32 characters): ~7.5 MB, under MongoDB's 16 MiB. Events beyond that (a hotel registered before the
bound, forged events) are parked by the size check (`storable.py`) rather than written.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from innkeeper_contracts.documents import (
    FULL_NIGHTS_DAYS_AFTER,
    FULL_NIGHTS_DAYS_BEFORE,
    HOTEL_CARDS,
    HOTEL_NIGHTS,
    HotelNight,
    RoomNight,
)
from innkeeper_contracts.stay import Stay, night_id

from .view import Doc, ReadView

BOOKINGS_FIELD = "_bookings"
"""Tracking field of a night document: {booking id: room type} of the active bookings that night."""


def derive_night(hotel_id: str, night: str, card: Doc, bookings: dict[str, str]) -> Doc | None:
    """The night document for these bookings and the card's capacities; None when nothing is booked."""
    if not bookings:
        return None
    room_nights = []
    booked_by_type = Counter(bookings.values())
    for room in card["room_types"]:
        booked = booked_by_type[room["code"]]
        free = max(room["capacity"] - booked, 0)
        room_nights.append(
            RoomNight(room_type=room["code"], capacity=room["capacity"], booked=booked, free=free)
        )
    document = HotelNight(
        hotel_id=hotel_id,
        night=date.fromisoformat(night),
        room_types=room_nights,
        booked=sum(r.booked for r in room_nights),
        capacity=sum(r.capacity for r in room_nights),
    ).model_dump(mode="json")
    return {"_id": night_id(hotel_id, night), **document, BOOKINGS_FIELD: dict(sorted(bookings.items()))}


def set_booking(
    view: ReadView, card: Doc, stay: Stay, booking_id: str, code: str | None, today: date
) -> None:
    """Add (code) or remove (None) a booking on every night of a stay, then refresh the card's full
    nights (`today`: the day the event occurred)."""
    hotel_id, nights = card["hotel_id"], stay.iso_nights()
    for night, key in zip(nights, stay.night_ids(hotel_id), strict=True):
        current = view.get(HOTEL_NIGHTS, key)
        bookings = dict(current[BOOKINGS_FIELD]) if current else {}
        if code is None:
            bookings.pop(booking_id, None)
        else:
            bookings[booking_id] = code
        view.put(HOTEL_NIGHTS, key, derive_night(hotel_id, night, card, bookings))
    refresh_full_nights(view, hotel_id, nights, today)


def resync_all_nights(view: ReadView, hotel_id: str, today: date) -> None:
    """After a capacity change: every night of the hotel takes the card's capacities again."""
    card = view.get(HOTEL_CARDS, hotel_id)
    assert card is not None
    for doc in view.nights_of(hotel_id):
        updated = derive_night(hotel_id, doc["night"], card, doc[BOOKINGS_FIELD])
        if updated != doc:
            view.put(HOTEL_NIGHTS, doc["_id"], updated)
    nights = [doc["night"] for doc in view.nights_of(hotel_id)]
    refresh_full_nights(view, hotel_id, nights, today, every=True)


def refresh_full_nights(
    view: ReadView, hotel_id: str, nights: list[str], today: date, every: bool = False
) -> None:
    """Recompute whether each room type is sold out on these nights (or, with `every`, on all), within
    the card's window around `today` (`documents.MAX_FULL_NIGHTS` says why there is one).

    Derived from the night documents and the event's day each time, so it is idempotent.
    """
    card = view.get(HOTEL_CARDS, hotel_id)
    assert card is not None
    first = (today - timedelta(days=FULL_NIGHTS_DAYS_BEFORE)).isoformat()
    last = (today + timedelta(days=FULL_NIGHTS_DAYS_AFTER)).isoformat()
    room_types = []
    for room in card["room_types"]:
        full = set() if every else set(room["full_nights"]) - set(nights)
        for night in nights:
            doc = view.get(HOTEL_NIGHTS, night_id(hotel_id, night))
            if doc and any(r["room_type"] == room["code"] and r["free"] == 0 for r in doc["room_types"]):
                full.add(night)
        room_types.append({**room, "full_nights": sorted(n for n in full if first <= n <= last)})
    if room_types != card["room_types"]:
        view.put(HOTEL_CARDS, hotel_id, {**card, "room_types": room_types})
