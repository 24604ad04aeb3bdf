"""The pure projections: an event and the current documents in, the new documents out."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from projector_builders import HOTEL, Log, money, room, stay

from innkeeper_contracts import (
    BookingCancelled,
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
    HotelCard,
    HotelNight,
)
from projector.projection import ProjectionError, ReadView, apply_event

NIGHT = date(2027, 3, 1)
H = str(HOTEL)


def registered(log: Log, dbl: int = 1) -> ReadView:
    view = ReadView()
    event = HotelRegistered(
        hotel_id=HOTEL,
        name="Sea",
        city="Faro",
        stars=4,
        room_types=[room("DBL", dbl, 120), room("STE", 2, 90)],
    )
    apply_event(view, log.add(HOTEL, event))
    return view


def book(view: ReadView, log: Log, code: str = "DBL", nights: int = 2) -> uuid.UUID:
    booking = uuid.uuid4()
    apply_event(view, log.add(booking, StayBooked(**stay(booking, code, NIGHT, nights))))
    return booking


def test_a_registered_hotel_gets_a_card_priced_from_its_cheapest_room_and_a_page() -> None:
    view = registered(Log())
    card = view.get(HOTEL_CARDS, H)
    assert card is not None
    assert card["_id"] == H
    assert card["price_from"] == {"amount": "90.00", "currency": "EUR"}
    assert card["price_from_minor"] == 9000
    HotelCard.model_validate({k: v for k, v in card.items() if k != "_id"})
    assert view.get(HOTEL_DETAILS, H)["registered_at"] == "2027-01-01T00:01:00Z"  # type: ignore[index]


def test_a_booking_fills_its_nights_and_marks_sold_out_nights_on_the_card() -> None:
    log = Log()
    view = registered(log, dbl=1)
    booking = book(view, log, nights=2)
    night = view.get(HOTEL_NIGHTS, f"{H}:2027-03-01")
    assert night is not None
    assert night["booked"] == 1
    assert night["capacity"] == 3
    assert night["room_types"][0] == {"room_type": "DBL", "capacity": 1, "booked": 1, "free": 0}
    HotelNight.model_validate({k: v for k, v in night.items() if not k.startswith("_")})
    card = view.get(HOTEL_CARDS, H)
    assert card["room_types"][0]["full_nights"] == ["2027-03-01", "2027-03-02"]  # type: ignore[index]
    assert view.get(BOOKINGS, str(booking))["hotel_name"] == "Sea"  # type: ignore[index]


def test_applying_any_event_again_changes_nothing() -> None:
    log = Log()
    view = registered(log)
    booking = book(view, log)
    cancel = BookingCancelled(
        booking_id=booking,
        hotel_id=HOTEL,
        room_type="DBL",
        guest_id="g-1",
        check_in=NIGHT,
        check_out=date(2027, 3, 3),
        reason="r",
        cancelled_at=datetime(2027, 2, 1, tzinfo=UTC),
        refund_policy="full",
        refund=money(200),
    )
    log.add(booking, cancel)
    log.add(HOTEL, RoomCapacityChanged(hotel_id=HOTEL, room_type="DBL", capacity=3, previous_capacity=1))
    for envelope in log.envelopes[2:]:
        apply_event(view, envelope)
    state = view.documents()
    for envelope in log.envelopes:
        apply_event(view, envelope)
    assert view.documents() == state


def test_cancelling_frees_the_nights_and_the_card() -> None:
    log = Log()
    view = registered(log)
    booking = book(view, log)
    cancel = BookingCancelled(
        booking_id=booking,
        hotel_id=HOTEL,
        room_type="DBL",
        guest_id="g-1",
        check_in=NIGHT,
        check_out=date(2027, 3, 3),
        reason="too late",
        cancelled_at=datetime(2027, 2, 1, tzinfo=UTC),
        refund_policy="half",
        refund=money(100),
    )
    apply_event(view, log.add(booking, cancel))
    assert view.get(HOTEL_NIGHTS, f"{H}:2027-03-01") is None  # nights without bookings are not stored
    assert view.get(HOTEL_CARDS, H)["room_types"][0]["full_nights"] == []  # type: ignore[index]
    doc = view.get(BOOKINGS, str(booking))
    assert doc["status"] == "cancelled"  # type: ignore[index]
    assert doc["refund"] == {"amount": "100.00", "currency": "EUR"}  # type: ignore[index]
    assert doc["version"] == 2  # type: ignore[index]


def test_capacity_changes_reach_every_night_and_the_sold_out_list() -> None:
    log = Log()
    view = registered(log)
    book(view, log)
    apply_event(
        view,
        log.add(HOTEL, RoomCapacityChanged(hotel_id=HOTEL, room_type="DBL", capacity=2, previous_capacity=1)),
    )
    night = view.get(HOTEL_NIGHTS, f"{H}:2027-03-02")
    assert night["room_types"][0] == {"room_type": "DBL", "capacity": 2, "booked": 1, "free": 1}  # type: ignore[index]
    card = view.get(HOTEL_CARDS, H)
    assert card["room_types"][0]["full_nights"] == []  # type: ignore[index]
    assert card["version"] == 2  # type: ignore[index]


def test_a_new_rate_moves_the_price_from() -> None:
    log = Log()
    view = registered(log)
    apply_event(
        view,
        log.add(
            HOTEL,
            NightlyRateSet(
                hotel_id=HOTEL, room_type="STE", nightly_rate=money("150.5"), previous_rate=money(90)
            ),
        ),
    )
    card = view.get(HOTEL_CARDS, H)
    assert card["price_from_minor"] == 12000  # type: ignore[index]
    assert view.get(HOTEL_DETAILS, H)["room_types"][1]["nightly_rate"]["amount"] == "150.50"  # type: ignore[index]


def test_an_alert_joins_the_feed_once() -> None:
    log = Log()
    view = registered(log)
    booking = book(view, log)
    alert = ManagementAlertRaised(
        booking_id=booking,
        hotel_id=HOTEL,
        alert_id=uuid.uuid4(),
        kinds=["late_cancellation"],
        message="late",
        total_price=money(200),
        refund=money(0),
        raised_at=datetime(2027, 2, 1, tzinfo=UTC),
    )
    envelope = log.add(booking, alert)
    apply_event(view, envelope)
    assert view.get(MANAGEMENT_ALERTS, str(alert.alert_id))["hotel_name"] == "Sea"  # type: ignore[index]
    assert view.get(BOOKINGS, str(booking))["version"] == 2  # type: ignore[index]


def test_an_event_that_cannot_apply_raises_and_leaves_the_view_untouched() -> None:
    log = Log()
    view = registered(log)
    before = view.documents()
    with pytest.raises(ProjectionError, match="NOPE"):
        book(view, log, code="NOPE")
    assert view.documents() == before


def test_a_booking_redelivered_after_its_cancellation_does_not_book_the_nights_again() -> None:
    log = Log()
    view = registered(log)
    booking = book(view, log)
    cancel = BookingCancelled(booking_id=booking, hotel_id=HOTEL, room_type="DBL", guest_id="g-1",
                              check_in=NIGHT, check_out=date(2027, 3, 3), reason="r",
                              cancelled_at=datetime(2027, 2, 1, tzinfo=UTC), refund_policy="full",
                              refund=money(200))  # fmt: skip
    apply_event(view, log.add(booking, cancel))
    state = view.documents()
    apply_event(view, log.envelopes[1])  # the StayBooked again, as after a crash before its checkpoint
    assert view.documents() == state
