"""The aggregates decide, record events and refuse what breaks a rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from command_builders import book_stay, guest_of, register_hotel

from command_service.domain.booking import Booking, HotelContact, ensure_bookable_check_in
from command_service.domain.errors import (
    AlreadyCancelledError,
    CapacityBelowBookedError,
    InvalidCommandError,
    NoRoomAvailableError,
    RoomTypeNotFoundError,
    StayEndedError,
    TooManyGuestsError,
)
from command_service.domain.hotel import Hotel
from command_service.domain.refunds import CancellationPolicy
from innkeeper_contracts import (
    BookingCancelled,
    GuestContactChanged,
    GuestNotificationRequested,
    HotelRegistered,
    ManagementAlertRaised,
    ManagementContactSet,
    Money,
    RefundIssued,
    RoomCapacityChanged,
    StayBooked,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


def registered_hotel(capacity: int = 2) -> Hotel:
    hotel = Hotel.register(register_hotel(capacity=capacity), uuid4(), NOW)
    hotel.take_pending_events()
    return hotel


def booked(hotel: Hotel, check_in: date, nights: int = 2) -> Booking:
    command = book_stay(hotel.id, check_in, nights)
    return Booking.book(uuid4(), command, guest_of(command), hotel.room_type("DBL"), NOW)


def test_registering_records_one_event_at_version_one() -> None:
    hotel = Hotel.register(register_hotel(), uuid4(), NOW)
    assert hotel.version == 1
    assert hotel.saved_version == 0
    assert [type(event).__name__ for event in hotel.pending_events] == ["HotelRegistered"]


def test_booking_prices_every_night_at_the_rate() -> None:
    booking = booked(registered_hotel(), TODAY + timedelta(days=3), nights=3)
    [event, _] = booking.pending_events
    assert isinstance(event, StayBooked)
    assert event.total_price == Money(amount=Decimal("360.00"), currency="EUR")
    assert event.nights == 3
    assert booking.stay.nights == [TODAY + timedelta(days=day) for day in (3, 4, 5)]


def test_a_booking_is_recorded_as_stay_booked_version_3_with_when_it_was_booked() -> None:
    booking = booked(registered_hotel(), TODAY + timedelta(days=3), nights=1)
    [event, _] = booking.pending_events
    assert isinstance(event, StayBooked)
    assert (event.schema_version, event.booked_at) == (3, NOW)


def test_a_booking_asks_to_confirm_it_to_the_guest_with_all_the_mail_says() -> None:
    booking = booked(registered_hotel(), TODAY + timedelta(days=3), nights=3)
    assert [type(event) for event in booking.pending_events] == [StayBooked, GuestNotificationRequested]
    assert booking.version == 2  # the answer's consistency token names the confirmation
    confirmation = booking.pending_events[1]
    assert confirmation == GuestNotificationRequested(
        booking_id=booking.id,
        hotel_id=booking.stay.hotel_id,
        guest_id="g-1",
        email="ann@example.com",
        template="booking_confirmed",
        guest_name="Ann",
        hotel_name="Inn",
        check_in=TODAY + timedelta(days=3),
        check_out=TODAY + timedelta(days=6),
        total_price=Money(amount=Decimal("360.00"), currency="EUR"),
    )
    assert confirmation.refund is None
    assert confirmation.refund_policy is None


def test_booking_more_guests_than_the_room_takes_is_a_business_rule() -> None:
    hotel = registered_hotel()
    command = book_stay(hotel.id, TODAY, guests=3)
    with pytest.raises(TooManyGuestsError):
        Booking.book(uuid4(), command, guest_of(command), hotel.room_type("DBL"), NOW)


def test_a_room_type_without_rooms_has_no_room() -> None:
    hotel = registered_hotel(capacity=0)
    with pytest.raises(NoRoomAvailableError):
        booked(hotel, TODAY)


def test_unknown_room_type_is_not_found() -> None:
    with pytest.raises(RoomTypeNotFoundError):
        registered_hotel().room_type("SUITE")


@pytest.mark.parametrize(
    ("check_in", "error_type"),
    [
        (TODAY - timedelta(days=1), "date_in_past"),
        (TODAY + timedelta(days=731), "beyond_booking_horizon"),
        (date(9999, 12, 1), "beyond_booking_horizon"),
    ],
)
def test_check_in_is_checked_against_the_day_on_its_field(check_in: date, error_type: str) -> None:
    with pytest.raises(InvalidCommandError) as raised:
        ensure_bookable_check_in(check_in, TODAY)
    assert raised.value.errors[0].loc == ["body", "check_in"]
    assert raised.value.errors[0].type == error_type


def test_today_and_the_last_day_of_the_horizon_are_allowed() -> None:
    ensure_bookable_check_in(TODAY, TODAY)
    ensure_bookable_check_in(TODAY + timedelta(days=730), TODAY)


def test_capacity_cannot_go_below_what_is_booked() -> None:
    hotel = registered_hotel(capacity=5)
    with pytest.raises(CapacityBelowBookedError):
        hotel.change_capacity("DBL", 2, most_booked=3)
    hotel.change_capacity("DBL", 3, most_booked=3)
    [event] = hotel.pending_events
    assert event == RoomCapacityChanged(hotel_id=hotel.id, room_type="DBL", capacity=3, previous_capacity=5)


def test_early_cancellation_refunds_in_full_and_notifies_the_guest() -> None:
    booking = booked(registered_hotel(), TODAY + timedelta(days=20))
    booking.take_pending_events()
    booking.cancel("plans changed", NOW, CancellationPolicy())
    events = booking.pending_events
    assert [type(event) for event in events] == [BookingCancelled, RefundIssued, GuestNotificationRequested]
    assert booking.version == 5
    assert booking.saved_version == 2
    refund = events[1]
    assert isinstance(refund, RefundIssued)
    assert refund.amount == Money(amount=Decimal("240.00"), currency="EUR")
    mail = events[2]
    assert isinstance(mail, GuestNotificationRequested)
    assert (mail.template, mail.refund, mail.refund_policy) == ("booking_cancelled", refund.amount, "full")
    assert (mail.guest_name, mail.hotel_name, mail.email) == ("Ann", "Inn", "ann@example.com")
    assert (mail.check_in, mail.check_out) == (TODAY + timedelta(days=20), TODAY + timedelta(days=22))
    assert mail.total_price == Money(amount=Decimal("240.00"), currency="EUR")


def test_late_cancellation_refunds_nothing_and_alerts_management() -> None:
    booking = booked(registered_hotel(), TODAY + timedelta(days=1))
    booking.take_pending_events()
    booking.cancel("ill", NOW, CancellationPolicy())
    types = [type(event) for event in booking.pending_events]
    assert types == [BookingCancelled, GuestNotificationRequested, ManagementAlertRaised]
    alert = booking.pending_events[-1]
    assert isinstance(alert, ManagementAlertRaised)
    assert alert.kinds == ["late_cancellation"]
    assert (alert.hotel_name, alert.management_email) == ("Inn", None)  # this hotel has no contact
    assert (alert.check_in, alert.check_out) == (TODAY + timedelta(days=1), TODAY + timedelta(days=3))
    mail = booking.pending_events[1]
    assert isinstance(mail, GuestNotificationRequested)
    assert (mail.refund, mail.refund_policy) == (Money(amount=Decimal("0.00"), currency="EUR"), "none")


def test_an_alert_goes_to_the_management_contact_the_booking_was_read_with() -> None:
    booking = booked(registered_hotel(), TODAY + timedelta(days=1))
    booking.take_pending_events()
    booking.hotel = HotelContact("Inn", "desk@inn.example")  # as the repository reads it to cancel
    booking.cancel("ill", NOW, CancellationPolicy())
    alert = booking.pending_events[-1]
    assert isinstance(alert, ManagementAlertRaised)
    assert (alert.hotel_name, alert.management_email) == ("Inn", "desk@inn.example")


def test_a_hotel_registered_with_a_contact_keeps_it_and_records_each_change() -> None:
    command = register_hotel().model_copy(update={"management_email": "desk@inn.example"})
    hotel = Hotel.register(command, uuid4(), NOW)
    [registered] = hotel.take_pending_events()
    assert isinstance(registered, HotelRegistered)
    assert registered.management_email == "desk@inn.example"
    hotel.set_management_contact("night@inn.example")
    hotel.set_management_contact("night@inn.example")
    assert hotel.pending_events == [
        ManagementContactSet(hotel_id=hotel.id, email="night@inn.example", previous_email="desk@inn.example"),
        ManagementContactSet(
            hotel_id=hotel.id, email="night@inn.example", previous_email="night@inn.example"
        ),
    ]
    assert (hotel.management_email, hotel.version) == ("night@inn.example", 3)
    assert registered_hotel().management_email is None


def test_cancelling_twice_is_refused() -> None:
    booking = booked(registered_hotel(), TODAY + timedelta(days=20))
    booking.cancel("once", NOW, CancellationPolicy())
    with pytest.raises(AlreadyCancelledError):
        booking.cancel("twice", NOW, CancellationPolicy())


def test_a_guest_changes_the_address_of_a_stay_ahead_and_later_mails_go_there() -> None:
    booking = booked(registered_hotel(), TODAY + timedelta(days=20))
    booking.take_pending_events()
    booking.change_guest_contact("new@example.net", NOW)
    [changed] = booking.take_pending_events()
    assert isinstance(changed, GuestContactChanged)
    assert (changed.booking_id, changed.guest_id, changed.email) == (booking.id, "g-1", "new@example.net")
    booking.cancel("plans changed", NOW, CancellationPolicy())
    mail = next(e for e in booking.take_pending_events() if isinstance(e, GuestNotificationRequested))
    assert mail.email == "new@example.net"


def test_the_address_of_a_cancelled_booking_or_an_ended_stay_does_not_change() -> None:
    cancelled = booked(registered_hotel(), TODAY + timedelta(days=20))
    cancelled.cancel("plans changed", NOW, CancellationPolicy())
    with pytest.raises(AlreadyCancelledError):
        cancelled.change_guest_contact("new@example.net", NOW)
    ended = booked(registered_hotel(), TODAY, nights=2)
    ended.change_guest_contact("during@example.net", NOW + timedelta(days=1))  # still staying: fine
    with pytest.raises(StayEndedError):
        ended.change_guest_contact("after@example.net", NOW + timedelta(days=2))
