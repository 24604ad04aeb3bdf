"""How a projection declares itself: for each event type it handles, what it reads and what it does.

Every event type of the contracts is either declared by a projection module or listed as ignored,
with the reason (`dispatch.IGNORED`); `undeclared` finds the others, so a new event type fails the
tests and the projector's start instead of falling through to a silent default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from innkeeper_contracts import BookingEvent, EventEnvelope, HotelEvent
from innkeeper_contracts.documents import BOOKINGS, HOTEL_CARDS, HOTEL_DETAILS

from .view import DocKey, ReadView

Apply = Callable[[ReadView, EventEnvelope, Any], None]
"""Changes the documents of the view for one event (of the declared type)."""
Reads = Callable[[Any], set[DocKey]]
"""The documents one event (of the declared type) reads, by key (a new set: `needs` keeps it)."""
Personal = Callable[[Any], Iterable[str | None]]
"""The personal texts of one event (of the declared type) that its projection reveals (`view.reveal`)."""


def no_personal_texts(event: Any) -> Iterable[str | None]:
    """An event whose projection shows no personal data."""
    return ()


@dataclass(frozen=True, slots=True)
class Handles:
    """One event type's projection: `apply` it after loading what `reads` names (plus, with
    `all_nights_of_hotel`, every night document of the event's hotel, and the data keys of the texts
    `personal` names)."""

    apply: Apply
    reads: Reads
    all_nights_of_hotel: bool = False
    personal: Personal = no_personal_texts


def hotel_documents(event: HotelEvent | BookingEvent) -> set[DocKey]:
    """The hotel's card and page: what every hotel or booking projection reads."""
    hotel_id = str(event.hotel_id)
    return {(HOTEL_CARDS, hotel_id), (HOTEL_DETAILS, hotel_id)}


def booking_documents(event: BookingEvent) -> set[DocKey]:
    """The hotel's card and page, and the booking's page."""
    hotel_id = str(event.hotel_id)
    return {(HOTEL_CARDS, hotel_id), (HOTEL_DETAILS, hotel_id), (BOOKINGS, str(event.booking_id))}


def undeclared(event_types: Iterable[type[Any]], *declared: Mapping[type[Any], object]) -> dict[str, str]:
    """Event types no table of `declared` names, or more than one does: {name: what is wrong}."""
    problems: dict[str, str] = {}
    for event_type in event_types:
        count = sum(event_type in table for table in declared)
        if count != 1:
            what = "no projection and not ignored" if count == 0 else f"declared {count} times"
            problems[event_type.__name__] = what
    return problems
