"""Which documents an event reads, and which projection applies it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from innkeeper_contracts import EVENT_TYPES, DomainEvent, EventEnvelope

from . import alerts, bookings, guests, hotels
from .declaration import Handles, undeclared
from .errors import ProjectionError, RefusedEventError
from .personal import key_ids
from .storable import MONGODB_MAX_DOCUMENT_BYTES, unstorable
from .view import Needs, ReadView

HANDLES: dict[type[Any], Handles] = {**hotels.HANDLES, **bookings.HANDLES, **guests.HANDLES, **alerts.HANDLES}
"""Event type → its projection, as the projection modules declare them."""
IGNORED: dict[type[Any], str] = {}
"""Event types no projection applies, each with the reason (none today: the events no screen shows
still advance their aggregate's document versions, see `advance_version`)."""


def check_declarations(event_types: Iterable[type[Any]] = EVENT_TYPES.values()) -> None:
    """Raise when an event type (of the contracts) has no projection and is not listed in `IGNORED`,
    or has more than one: called when the projector starts, and by the tests."""
    tables = (hotels.HANDLES, bookings.HANDLES, guests.HANDLES, alerts.HANDLES, IGNORED)
    if problems := undeclared(event_types, *tables):
        raise RuntimeError(f"event types not declared exactly once by the projections: {problems}")


def needs(envelope: EventEnvelope) -> Needs:
    """The documents and data keys this event reads; raises ProjectionError when the event cannot be
    parsed, or a personal text of it is malformed."""
    event = _parse(envelope)
    handles = HANDLES.get(type(event))
    if handles is None:  # ignored
        return Needs()
    result = Needs(handles.reads(event), key_ids=key_ids(handles.personal(event)))
    if handles.all_nights_of_hotel:
        result.hotels_with_all_nights.add(str(event.hotel_id))  # type: ignore[attr-defined]  # declared so
    return result


def apply_event(
    view: ReadView, envelope: EventEnvelope, max_document_bytes: int = MONGODB_MAX_DOCUMENT_BYTES
) -> None:
    """Apply one event to the view, all or nothing; applying it again changes nothing. Raises
    RefusedEventError when no retry can apply it: its data breaks the contracts, or a document it
    changes would not fit the store."""
    event = _parse(envelope)
    handles = HANDLES.get(type(event))
    if handles is None:  # ignored
        return
    savepoint = view.savepoint()
    try:
        handles.apply(view, envelope, event)
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
_PARSED: dict[int, tuple[EventEnvelope, DomainEvent]] = {}
_PARSED_MAX = 4096


def _parse(envelope: EventEnvelope) -> DomainEvent:
    cached = _PARSED.get(id(envelope))
    if cached is not None and cached[0] is envelope:
        return cached[1]
    try:
        # Every path that applies an event (live, replay, rebuild, gap healing, verify) parses it here:
        # `event()` lifts data of an older schema version (upcasting) and refuses a newer one.
        event = envelope.event()
    except Exception as error:  # the projector does not trust the wire: what the contracts refuse, it parks
        raise RefusedEventError(f"invalid event: {envelope.event_type} data: {error}") from error
    if type(event) not in HANDLES and type(event) not in IGNORED:
        raise RefusedEventError(f"invalid event: no projection for {envelope.event_type}")
    if len(_PARSED) >= _PARSED_MAX:
        del _PARSED[next(iter(_PARSED))]  # the oldest entry
    _PARSED[id(envelope)] = (envelope, event)
    return event
