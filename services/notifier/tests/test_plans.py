"""Which deliveries an event asks for: the command side decides, the subscribers choose their events."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from notifier_builders import CHECK_IN, CHECK_OUT, envelope, eur, stay
from pydantic import ValidationError

from innkeeper_contracts import GuestNotificationRequested, ManagementAlertRaised, RefundIssued
from innkeeper_kit.personal import seal
from notifier.plans import NO_CONTACT, PlannedDelivery, deliveries_for, event_types_wanted
from notifier.settings import WebhookSubscriber

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
PAYMENTS = WebhookSubscriber(
    name="payments", url="https://pay.example/hooks", secret=SECRET, events=["RefundIssued"]
)  # type: ignore[arg-type]


def notification(template: str = "booking_cancelled") -> GuestNotificationRequested:
    return GuestNotificationRequested(
        **stay(), guest_id="g-1", email="ada@example.com", template=template, refund=eur("50.00"),  # type: ignore[arg-type]
        hotel_name="Seaview", check_in=CHECK_IN, check_out=CHECK_OUT,
    )  # fmt: skip


def alert(management_email: str | None) -> ManagementAlertRaised:
    return ManagementAlertRaised(
        **stay(), alert_id=uuid4(), kinds=["late_cancellation"], message="late", total_price=eur("300.00"),
        refund=eur("0.00"), raised_at=datetime(2027, 4, 9, tzinfo=UTC), management_email=management_email,
    )  # fmt: skip


def test_a_guest_notification_is_one_mail_to_the_guest_with_its_template() -> None:
    planned = deliveries_for(envelope(notification("booking_confirmed")), [PAYMENTS])
    assert planned == [PlannedDelivery("mail", "ada@example.com", "booking_confirmed", guest_id="g-1")]


def test_a_sealed_notification_is_recorded_to_the_guest_without_the_address() -> None:
    key_id, key = uuid4(), os.urandom(32)
    sealed = notification("booking_confirmed").model_copy(
        update={"email": seal(key_id, key, "ada@example.com"), "guest_name": seal(key_id, key, "Ada")}
    )
    [planned] = deliveries_for(envelope(sealed), [])
    assert (planned.recipient, planned.guest_id) == ("guest:g-1", "g-1")  # opened only at send time
    assert planned.key_ids == {key_id}


def test_an_alert_goes_to_the_management_address_the_event_carries() -> None:
    assert deliveries_for(envelope(alert("boss@seaview.example")), []) == [
        PlannedDelivery("mail", "boss@seaview.example", "management_alert")
    ]


def test_an_alert_for_a_hotel_without_a_contact_is_recorded_as_undeliverable() -> None:
    [planned] = deliveries_for(envelope(alert(None)), [])
    assert (planned.recipient, planned.template) == (NO_CONTACT, "management_alert")
    assert planned.undeliverable is not None
    assert "SetManagementContact" in planned.undeliverable


def test_a_refund_goes_to_each_subscriber_that_asked_for_it_and_to_no_one_else() -> None:
    refund = RefundIssued(**stay(), guest_id="g-1", amount=eur("50.00"), policy="half")
    others = PAYMENTS.model_copy(update={"name": "audit", "events": ["ManagementAlertRaised"]})
    assert deliveries_for(envelope(refund), [PAYMENTS, others]) == [
        PlannedDelivery("webhook", "payments", "webhook")
    ]


def test_an_event_with_invalid_data_is_refused() -> None:
    bad = envelope(notification()).model_copy(update={"data": {"booking_id": "not a uuid"}})
    with pytest.raises(ValidationError):
        deliveries_for(bad, [])


def test_the_notifier_consumes_the_mail_events_the_erasures_and_what_subscribers_want() -> None:
    assert event_types_wanted([PAYMENTS]) == {
        "GuestNotificationRequested",
        "ManagementAlertRaised",
        "GuestDataErased",
        "RefundIssued",
    }
