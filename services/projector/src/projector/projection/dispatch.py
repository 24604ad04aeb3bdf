"""Which documents an event reads, and which projection applies it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from innkeeper_contracts import (
    BookingCancelled,
    BookingEvent,
    EventEnvelope,
    HotelEvent,
    HotelRegistered,
    ManagementAlertRaised,
    NightlyRateSet,
    RoomCapacityChanged,
    StayBooked,
)
from innkeeper_contracts.documents import (
    BOOKINGS,
    HOTEL_CARDS,
    HOTEL_DETAILS,
    HOTEL_NIGHTS,
    MANAGEMENT_ALERTS,
)

from . import bookings, hotels
from .errors import ProjectionError, RefusedEventError
from .nights import night_id, nights_between
from .storable import MONGODB_MAX_DOCUMENT_BYTES, unstorable
from .view import Needs, ReadView

Projection = Callable[[ReadView, EventEnvelope, Any], None]

PROJECTIONS: dict[type[Any], Projection] = {
    HotelRegistered: hotels.on_hotel_registered,
    RoomCapacityChanged: hotels.on_capacity_changed,
    NightlyRateSet: hotels.on_rate_set,
    StayBooked: bookings.on_stay_booked,
    BookingCancelled: bookings.on_booking_cancelled,
    ManagementAlertRaised: bookings.on_alert_raised,
}


def _projection(event: HotelEvent | BookingEvent) -> Projection:
    if (projection := PROJECTIONS.get(type(event))) is not None:
        return projection
    # What no screen shows (a notification, a refund, the management contact) still moves the
    # aggregate's documents to its version, and its checkpoint advances like any event's: nothing parks.
    return hotels.on_other_hotel_event if isinstance(event, HotelEvent) else bookings.on_other_booking_event


def needs(envelope: EventEnvelope) -> Needs:
    """The documents this event reads; raises ProjectionError when the event cannot be parsed."""
    event = _parse(envelope)
    result = Needs()
    hotel_id = str(event.hotel_id) if isinstance(event, HotelEvent | BookingEvent) else ""
    result.keys |= {(HOTEL_CARDS, hotel_id), (HOTEL_DETAILS, hotel_id)}
    if isinstance(event, RoomCapacityChanged):
        result.hotels_with_all_nights.add(hotel_id)
    if isinstance(event, BookingEvent):
        result.keys.add((BOOKINGS, str(event.booking_id)))
    if isinstance(event, StayBooked | BookingCancelled):
        nights = nights_between(event.check_in, event.check_out)
        result.keys |= {(HOTEL_NIGHTS, night_id(hotel_id, night)) for night in nights}
    if isinstance(event, ManagementAlertRaised):
        result.keys.add((MANAGEMENT_ALERTS, str(event.alert_id)))
    return result


def apply_event(
    view: ReadView, envelope: EventEnvelope, max_document_bytes: int = MONGODB_MAX_DOCUMENT_BYTES
) -> None:
    """Apply one event to the view, all or nothing; applying it again changes nothing. Raises
    RefusedEventError when no retry can apply it: its data breaks the contracts, or a document it
    changes would not fit the store."""
    event = _parse(envelope)
    projection = _projection(event)
    savepoint = view.savepoint()
    try:
        projection(view, envelope, event)
        _check_storable(view, savepoint, max_document_bytes)
    except ProjectionError:
        view.rollback(savepoint)
        raise
    except Exception as error:  # a bug or bad data in one event must not stop the others
        view.rollback(savepoint)
        raise ProjectionError(f"{type(error).__name__}: {error}") from error


def _check_storable(view: ReadView, savepoint: int, limit: int) -> None:
    for base, doc_id in sorted(view.changed_since(savepoint)):
        document = view.get(base, doc_id)
        if document is not None and (problem := unstorable(document, limit)) is not None:
            raise RefusedEventError(f"{problem}, {base} document {doc_id}")


# `needs` and `apply_event` see the same envelope objects (and replays may see them again): parsing the
# event data once per envelope spares a pydantic validation (e-mail included) per event. The entry holds
# the envelope itself, so its id cannot be reused while cached.
_PARSED: dict[int, tuple[EventEnvelope, HotelEvent | BookingEvent]] = {}
_PARSED_MAX = 4096


def _parse(envelope: EventEnvelope) -> HotelEvent | BookingEvent:
    cached = _PARSED.get(id(envelope))
    if cached is not None and cached[0] is envelope:
        return cached[1]
    try:
        # Every path that applies an event (live, replay, rebuild, gap healing, verify) parses it here:
        # `event()` lifts data of an older schema version (upcasting) and refuses a newer one.
        event = envelope.event()
    except Exception as error:  # the projector does not trust the wire: what the contracts refuse, it parks
        raise RefusedEventError(f"invalid event: {envelope.event_type} data: {error}") from error
    if not isinstance(event, HotelEvent | BookingEvent):
        raise RefusedEventError(f"invalid event: no projection for {envelope.event_type}")
    if len(_PARSED) >= _PARSED_MAX:
        del _PARSED[next(iter(_PARSED))]  # the oldest entry
    _PARSED[id(envelope)] = (envelope, event)
    return event
