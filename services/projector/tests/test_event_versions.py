"""The projector reads a StayBooked of schema version 1 (logged before `booked_at`) as version 2, and
parks data newer than it knows at once, with the reason, instead of misreading it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from projector_builders import HOTEL, Log, room, stay

from innkeeper_contracts import EventEnvelope, HotelRegistered, StayBooked
from innkeeper_contracts.documents import BOOKINGS, HOTEL_CARDS
from projector.planner import plan_batch
from projector.projection import ReadView, apply_event
from projector.store.memory import MemoryStore

NIGHT = date(2027, 3, 1)


def hotel(log: Log) -> ReadView:
    view = ReadView()
    registered = HotelRegistered(
        hotel_id=HOTEL, name="Sea", city="Faro", stars=4, room_types=[room("DBL", 3, 100)]
    )
    apply_event(view, log.add(HOTEL, registered))
    return view


def booked(
    log: Log, booked_at: datetime, *, logged_as_v1: bool = False, booking: uuid.UUID | None = None
) -> EventEnvelope:
    booking = booking or uuid.uuid4()
    envelope = log.add(booking, StayBooked(**stay(booking, "DBL", NIGHT, 2, booked_at=booked_at)))
    if not logged_as_v1:
        return envelope
    data: dict[str, Any] = {k: v for k, v in envelope.data.items() if k != "booked_at"}
    return envelope.model_copy(update={"schema_version": 1, "data": data})


def test_a_version_1_stay_projects_like_version_2_booked_when_it_was_logged() -> None:
    documents, booking_id = [], uuid.uuid4()
    for as_v1 in (True, False):
        log = Log()
        view = hotel(log)
        logged_at = datetime(2027, 1, 1, tzinfo=UTC) + timedelta(minutes=2)  # the Log's second event
        envelope = booked(log, logged_at, logged_as_v1=as_v1, booking=booking_id)
        assert envelope.occurred_at == logged_at
        apply_event(view, envelope)
        card = view.get(HOTEL_CARDS, str(HOTEL))
        booking = view.get(BOOKINGS, str(booking_id))
        assert card is not None
        assert booking is not None
        assert card["last_booked_at"] == booking["booked_at"] == "2027-01-01T00:02:00Z"
        documents.append(view.documents())
    assert documents[0] == documents[1]


def test_the_card_shows_the_latest_booking_whatever_order_they_are_logged_in() -> None:
    log = Log()
    view = hotel(log)
    later, earlier = datetime(2027, 1, 2, 10, tzinfo=UTC), datetime(2027, 1, 2, 9, tzinfo=UTC)
    for booked_at in (later, earlier):
        apply_event(view, booked(log, booked_at))
    card = view.get(HOTEL_CARDS, str(HOTEL))
    assert card is not None
    assert card["last_booked_at"] == "2027-01-02T10:00:00Z"


async def test_data_newer_than_the_projector_knows_is_parked_at_once_with_the_reason() -> None:
    log = Log()
    hotel(log)
    registered = log.envelopes[0]
    known = StayBooked.schema_version
    newer = booked(log, datetime(2027, 1, 2, tzinfo=UTC)).model_copy(update={"schema_version": known + 1})
    plan = await plan_batch(MemoryStore(), "g1", [registered, newer], Log())
    [failure] = plan.failed
    assert failure.kind == "refused"
    assert failure.reason == (
        f"invalid event: StayBooked data: StayBooked data of schema version {known + 1} is newer than this"
        f" reader knows (up to {known}): upgrade the reader"
    )
