"""Cancellation on the bus: refund, guest notification and management alert events, by policy."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from command_support import booking_body, command_client, event_tap, hotel_body, today

from innkeeper_contracts import ManagementAlertRaised, RefundIssued


async def test_cancellations_publish_refund_notification_and_alert_events(
    command_env: dict[str, str],
) -> None:
    async with event_tap(command_env["RABBITMQ_URL"]) as tap, command_client(command_env) as client:
        hotel = hotel_body(capacity=5, rate="600.00")
        hotel_id = hotel["hotel_id"]
        await client.post("/hotels", json=hotel)
        late = booking_body(hotel_id, check_in=today(), nights=1)  # notice < 48 h: late, no refund
        early = booking_body(hotel_id, check_in=today() + timedelta(days=20), nights=2)  # 1200.00: high value
        ids = {}
        for name, body in (("late", late), ("early", early)):
            answer = await client.post("/bookings", json=body)
            assert answer.status_code == 202, answer.text
            ids[name] = answer.json()["aggregate_id"]
            cancel = await client.post(f"/bookings/{ids[name]}/cancel", json={"reason": "plans changed"})
            assert cancel.status_code == 202
        # 1 HotelRegistered + 2 StayBooked and their confirmations + late (3) + early (4)
        await tap.wait_for(12)

    def types_of(booking_id: str) -> list[str]:
        events = sorted(
            (envelope for envelope in tap.envelopes if str(envelope.aggregate_id) == booking_id),
            key=lambda envelope: envelope.aggregate_version,
        )
        return [envelope.event_type for envelope in events]

    assert types_of(ids["late"]) == [
        "StayBooked",
        "GuestNotificationRequested",
        "BookingCancelled",
        "GuestNotificationRequested",
        "ManagementAlertRaised",
    ]
    assert types_of(ids["early"]) == [
        "StayBooked",
        "GuestNotificationRequested",
        "BookingCancelled",
        "RefundIssued",
        "GuestNotificationRequested",
        "ManagementAlertRaised",
    ]
    [refund] = [envelope.event() for envelope in tap.of_type("RefundIssued")]
    assert isinstance(refund, RefundIssued)
    assert (refund.amount.amount, refund.policy) == (Decimal("1200.00"), "full")
    alerts = {
        str(envelope.aggregate_id): envelope.event() for envelope in tap.of_type("ManagementAlertRaised")
    }
    late_alert, early_alert = alerts[ids["late"]], alerts[ids["early"]]
    assert isinstance(late_alert, ManagementAlertRaised)
    assert isinstance(early_alert, ManagementAlertRaised)
    assert late_alert.kinds == ["late_cancellation"]
    assert early_alert.kinds == ["high_value_cancellation"]

    [message] = [message for message in tap.messages if message.type == "RefundIssued"]
    assert message.routing_key == "booking.refund_issued"
    assert message.headers["x-partition-key"] == hotel_id
    assert message.headers["x-event-type"] == "RefundIssued"
    assert message.message_id == str(tap.of_type("RefundIssued")[0].event_id)
    assert message.delivery_mode == 2
    assert message.content_type == "application/json"

    keys = {(message.type, message.routing_key) for message in tap.messages}
    assert ("GuestNotificationRequested", "booking.guest_notification_requested") in keys
    assert ("ManagementAlertRaised", "booking.management_alert_raised") in keys
    templates = sorted(
        (str(envelope.aggregate_id), envelope.data["template"])
        for envelope in tap.of_type("GuestNotificationRequested")
    )
    assert templates == sorted(
        (booking_id, template)
        for booking_id in ids.values()
        for template in ("booking_confirmed", "booking_cancelled")
    )
    assert (late_alert.hotel_name, late_alert.management_email) == ("Harbour Inn", None)
    assert str(early_alert.check_in) == early["check_in"]
