"""Mails from the templates: text and HTML, the hotel and the dates, the refund, a stable Message-ID."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from notifier_builders import CHECK_IN, CHECK_OUT, envelope, eur, stay

from innkeeper_contracts import GuestNotificationRequested, ManagementAlertRaised
from notifier.deliveries import Delivery
from notifier.mail import MailComposer

COMPOSER = MailComposer("Innkeeper <no-reply@innkeeper.example>", "innkeeper.example")


def delivery_of(
    event: GuestNotificationRequested | ManagementAlertRaised, recipient: str, template: str
) -> Delivery:
    sealed = envelope(event, version=3)
    return Delivery(
        id=1, event_id=sealed.event_id, event_type=sealed.event_type, channel="mail", recipient=recipient,
        template=template, correlation_id="corr-1", envelope=sealed, state="sending", attempts=1,
        last_error=None, created_at=datetime.now(UTC), claim=None,
    )  # fmt: skip


def cancellation(**fields: object) -> GuestNotificationRequested:
    defaults: dict[str, object] = {
        "guest_id": "g-1", "email": "ada@example.com", "template": "booking_cancelled",
        "refund": eur("150.00"), "refund_policy": "half", "guest_name": "Ada <Lovelace>",
        "hotel_name": "Seaview & Sons",
        "check_in": CHECK_IN, "check_out": CHECK_OUT, "total_price": eur("300.00"),
    }  # fmt: skip
    return GuestNotificationRequested(**stay(), **(defaults | fields))  # type: ignore[arg-type]


def test_the_cancellation_mail_names_hotel_dates_and_refund_in_text_and_html() -> None:
    delivery = delivery_of(cancellation(), "ada@example.com", "booking_cancelled")
    message = COMPOSER.compose(delivery)
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert message["Subject"] == "Your booking at Seaview & Sons is cancelled"
    assert message["To"] == "ada@example.com"
    assert message["Message-ID"] == f"<{delivery.event_id}@innkeeper.example>"
    assert message["Auto-Submitted"] == "auto-generated"
    for part in (text, html):
        assert "Saturday 10 April 2027" in part
        assert "Tuesday 13 April 2027" in part
        assert "150.00 EUR" in part
        assert "half of the price back" in part
    assert "Hello Ada <Lovelace>," in text
    assert "Ada &lt;Lovelace&gt;" in html
    assert "Seaview &amp; Sons" in html


def test_a_notification_logged_before_the_mail_fields_existed_still_makes_a_mail() -> None:
    old = GuestNotificationRequested(
        **stay(), guest_id="g-1", email="ada@example.com", template="booking_cancelled", refund=eur("0.00")
    )
    message = COMPOSER.compose(delivery_of(old, "ada@example.com", "booking_cancelled"))
    assert message["Subject"] == "Your booking is cancelled"
    assert "Refund:     0.00 EUR" in message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]


def test_the_confirmation_and_the_alert_render() -> None:
    confirmed = cancellation(template="booking_confirmed", refund=None, refund_policy=None)
    message = COMPOSER.compose(delivery_of(confirmed, "ada@example.com", "booking_confirmed"))
    assert message["Subject"] == "Your stay at Seaview & Sons is booked from 2027-04-10"
    assert "300.00 EUR" in message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    raised = ManagementAlertRaised(
        **stay(), alert_id=uuid4(), kinds=["late_cancellation", "high_value_cancellation"], message="late",
        total_price=eur("3000.00"), refund=eur("0.00"), raised_at=datetime(2027, 4, 9, tzinfo=UTC),
        hotel_name="Seaview", management_email="boss@seaview.example",
    )  # fmt: skip
    alert = COMPOSER.compose(delivery_of(raised, "boss@seaview.example", "management_alert"))
    assert alert["Subject"] == "Alert for Seaview: late cancellation and high value cancellation"
    assert "3,000.00 EUR" in alert.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
