"""What a mailer needs travels in the events (it keeps no state), and the events already in the log,
written before those fields were carried, still validate."""

from typing import Any
from uuid import uuid4

import pytest
from pydantic import BaseModel, ValidationError

from innkeeper_contracts import (
    COMMANDS,
    EVENT_TYPES,
    GuestNotificationRequested,
    HotelRegistered,
    ManagementAlertRaised,
    ManagementContactSet,
    RegisterHotel,
    SetManagementContact,
)

EUR = {"amount": "240.00", "currency": "EUR"}
NOTHING = {"amount": "0.00", "currency": "EUR"}


def notification(**changes: Any) -> dict[str, Any]:
    """A `booking_cancelled` notification as the log holds it from before the mail's fields."""
    return {
        "booking_id": str(uuid4()),
        "hotel_id": str(uuid4()),
        "guest_id": "g-1",
        "email": "ann@example.org",
        "template": "booking_cancelled",
        "refund": EUR,
    } | changes


def alert(**changes: Any) -> dict[str, Any]:
    """A management alert as the log holds it from before the mail's fields."""
    return {
        "booking_id": str(uuid4()),
        "hotel_id": str(uuid4()),
        "alert_id": str(uuid4()),
        "kinds": ["late_cancellation"],
        "message": "late cancellation: 240.00 EUR booking cancelled, refund none (0.00)",
        "total_price": EUR,
        "refund": NOTHING,
        "raised_at": "2030-05-01T12:00:00Z",
    } | changes


def error_types(model: type[BaseModel], data: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(data)
    return [(error["loc"], error["type"]) for error in raised.value.errors()]


def test_notifications_and_alerts_logged_before_the_mail_fields_still_validate() -> None:
    old = GuestNotificationRequested.model_validate(notification())
    assert (old.guest_name, old.hotel_name, old.check_in, old.total_price, old.refund_policy) == (None,) * 5
    old_alert = ManagementAlertRaised.model_validate(alert())
    assert (old_alert.hotel_name, old_alert.management_email, old_alert.check_in) == (None, None, None)


def test_a_confirmation_carries_the_whole_stay_and_no_refund() -> None:
    mail = GuestNotificationRequested.model_validate(
        notification(
            template="booking_confirmed",
            refund=None,
            guest_name="Ann Berg",
            hotel_name="Harbour Inn",
            check_in="2030-05-01",
            check_out="2030-05-03",
            total_price=EUR,
        )
    )
    assert mail.template == "booking_confirmed"
    assert mail.refund is None
    assert str(mail.check_out) == "2030-05-03"


def test_a_cancellation_notification_without_its_refund_is_refused_clearly() -> None:
    data = notification()
    del data["refund"]
    with pytest.raises(ValidationError) as raised:
        GuestNotificationRequested.model_validate(data)
    [error] = raised.value.errors()
    assert error["type"] == "refund_required"
    assert "booking_cancelled notification carries its refund" in error["msg"]


@pytest.mark.parametrize(
    ("model", "data"), [(GuestNotificationRequested, notification()), (ManagementAlertRaised, alert())]
)
def test_the_stay_on_a_message_is_a_stay(model: type[BaseModel], data: dict[str, Any]) -> None:
    backwards = data | {"check_in": "2030-05-03", "check_out": "2030-05-01"}
    assert error_types(model, backwards) == [(("check_out",), "date_order")]
    assert model.model_validate(data | {"check_in": "2030-05-01", "check_out": None})


def test_an_unknown_template_and_a_bad_address_are_refused() -> None:
    assert error_types(GuestNotificationRequested, notification(template="booking_moved")) == [
        (("template",), "literal_error")
    ]
    assert error_types(ManagementAlertRaised, alert(management_email="not an address")) == [
        (("management_email",), "value_error")
    ]


@pytest.mark.parametrize("model", [RegisterHotel, HotelRegistered])
def test_a_hotel_may_name_a_management_contact(model: type[RegisterHotel | HotelRegistered]) -> None:
    room = {
        "code": "DBL",
        "name": "Double",
        "capacity": 3,
        "max_guests": 2,
        "nightly_rate": {"amount": "120.00", "currency": "EUR"},
    }
    hotel = {
        "hotel_id": str(uuid4()),
        "name": "Harbour Inn",
        "city": "Bergen",
        "stars": 4,
        "room_types": [room],
    }
    assert model.model_validate(hotel).management_email is None
    contact = model.model_validate(hotel | {"management_email": "desk@harbour.example"})
    assert contact.management_email == "desk@harbour.example"
    assert error_types(model, hotel | {"management_email": "desk"}) == [
        (("management_email",), "value_error")
    ]


def test_setting_the_management_contact_is_a_command_and_a_hotel_event() -> None:
    assert COMMANDS["SetManagementContact"] is SetManagementContact
    assert EVENT_TYPES["ManagementContactSet"] is ManagementContactSet
    assert ManagementContactSet.routing_key() == "hotel.management_contact_set"
    first = ManagementContactSet(hotel_id=uuid4(), email="desk@harbour.example", previous_email=None)
    assert first.previous_email is None
    with pytest.raises(ValidationError):
        SetManagementContact.model_validate({"hotel_id": str(uuid4()), "email": "desk@"})
