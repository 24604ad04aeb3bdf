"""The card's sold-out nights stay within a window around its hotel's latest booking change: bounded."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from projector_builders import HOTEL, Log, room, stay

from innkeeper_contracts import EventEnvelope, HotelRegistered, RoomCapacityChanged, StayBooked
from innkeeper_contracts.documents import HOTEL_CARDS, HOTEL_NIGHTS, MAX_FULL_NIGHTS, HotelCard
from innkeeper_contracts.stay import BOOKING_HORIZON_DAYS, MAX_NIGHTS
from projector.projection import ReadView, apply_event

H = str(HOTEL)
MONTH = 30


def on(envelope: EventEnvelope, day: date) -> EventEnvelope:
    """The event as if it occurred at noon (UTC) on `day`."""
    return envelope.model_copy(update={"occurred_at": datetime(day.year, day.month, day.day, 12, tzinfo=UTC)})


def hotel(view: ReadView, log: Log) -> None:
    rooms = [room("DBL", 1, 100)]
    apply_event(
        view,
        log.add(HOTEL, HotelRegistered(hotel_id=HOTEL, name="Sea", city="Faro", stars=4, room_types=rooms)),
    )


def book(view: ReadView, log: Log, today: date, check_in: date, nights: int = MAX_NIGHTS) -> None:
    booking = uuid.uuid4()
    apply_event(view, on(log.add(booking, StayBooked(**stay(booking, "DBL", check_in, nights))), today))


def full_nights(view: ReadView) -> list[str]:
    card = view.get(HOTEL_CARDS, H)
    assert card is not None
    nights: list[str] = card["room_types"][0]["full_nights"]
    return nights


def test_every_night_that_can_be_booked_is_listed() -> None:
    log, view, today = Log(), ReadView(), date(2027, 1, 1)
    hotel(view, log)
    last_check_in = today + timedelta(days=BOOKING_HORIZON_DAYS)
    book(view, log, today, today)
    book(view, log, today, last_check_in)
    listed = full_nights(view)
    assert listed[0] == today.isoformat()
    assert listed[-1] == (last_check_in + timedelta(days=MAX_NIGHTS - 1)).isoformat()
    assert len(listed) == 2 * MAX_NIGHTS


def test_nights_beyond_the_window_are_stored_but_not_listed() -> None:
    log, view, today = Log(), ReadView(), date(2027, 1, 1)
    hotel(view, log)
    far = date(9999, 1, 1)
    book(view, log, today, far, nights=2)
    assert full_nights(view) == []
    assert view.get(HOTEL_NIGHTS, f"{H}:{far.isoformat()}") is not None  # availability still shows it


def test_past_nights_leave_the_list_with_the_next_booking_change() -> None:
    log, view, start = Log(), ReadView(), date(2027, 1, 1)
    hotel(view, log)
    for month in range(48):  # four years of a sold-out hotel, booked a month ahead, a month at a time
        today = start + timedelta(days=month * MONTH)
        book(view, log, today, today + timedelta(days=MONTH))
        listed = full_nights(view)
        assert len(listed) <= MAX_FULL_NIGHTS
        assert listed[0] >= (today - timedelta(days=1)).isoformat()
    card = view.get(HOTEL_CARDS, H)
    HotelCard.model_validate({k: v for k, v in card.items() if k != "_id"})  # type: ignore[union-attr]


def test_a_capacity_change_recomputes_the_window_from_its_own_day() -> None:
    log, view, start = Log(), ReadView(), date(2027, 1, 1)
    hotel(view, log)
    book(view, log, start, start + timedelta(days=1), nights=3)
    later = start + timedelta(days=3)
    change = RoomCapacityChanged(hotel_id=HOTEL, room_type="DBL", capacity=1, previous_capacity=1)
    apply_event(view, on(log.add(HOTEL, change), later))
    assert full_nights(view) == ["2027-01-03", "2027-01-04"]  # from the day before `later`; not Jan 2
