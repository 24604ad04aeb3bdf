"""Book then cancel through the real command service: the guest gets one confirmation and one
cancellation mail, management one alert, the payment system one signed `RefundIssued`; replays and a
read-model rebuild send nothing more."""

from __future__ import annotations

import httpx
from testkit.auth import operator
from testkit.innkeeper import Innkeeper
from testkit.mail import MailCatcher, text_of
from testkit.waiting import wait_until
from testkit.webhooks import WebhookReceiver

from delivery.support import SECRET, book_and_cancel, deliveries, message_ids, notification_ids, republish_log


async def test_book_then_cancel_mails_guest_and_management_and_refunds_once(
    innkeeper: Innkeeper, mail: MailCatcher, webhook: WebhookReceiver
) -> None:
    await innkeeper.start_notifier()
    [stay] = await book_and_cancel(innkeeper)

    await wait_until(
        lambda: len(mail.messages()) >= 3 and len(webhook.requests()) >= 2, 20, "3 mails, 2 hooks"
    )
    guest_mails = [m for m in mail.messages() if m["To"] == "ann@example.com"]
    assert [m["Subject"].split(" at ")[0] for m in guest_mails] == ["Your stay", "Your booking"]  # in order
    booked, cancelled = guest_mails
    assert "is booked from" in booked["Subject"]
    assert "Harbour Inn" in booked["Subject"]
    assert cancelled["Subject"] == "Your booking at Harbour Inn is cancelled"
    text = text_of(cancelled)
    assert "Refund:     600.00 EUR (half of the price back)" in text
    assert f"your booking {stay['booking_id']} is cancelled" in text
    assert "Hello Ann Berg," in text
    assert message_ids(guest_mails).keys() == await notification_ids(innkeeper)

    [management] = [m for m in mail.messages() if m["To"] == "boss@harbour.example"]
    assert management["Subject"] == "Alert for Harbour Inn: high value cancellation"
    assert set(message_ids([management])) == await notification_ids(innkeeper, "ManagementAlertRaised")

    hooks = {request.headers["x-event-type"]: request for request in webhook.requests()}
    assert sorted(hooks) == ["ManagementAlertRaised", "RefundIssued"]
    refund = hooks["RefundIssued"].verified(SECRET)  # the Standard Webhooks reference check
    assert refund["data"]["amount"] == {"amount": "600.00", "currency": "EUR"}
    assert hooks["RefundIssued"].headers["idempotency-key"] == refund["event_id"]

    # Every event of the log again (a relay that lost its confirms), then a rebuild: nothing more is sent.
    seen = len(await deliveries(innkeeper))
    republished = await republish_log(innkeeper)
    await wait_until(lambda: _events_taken(innkeeper) >= 2 * 4, 20, "the notifier taking the replays")
    projector = await innkeeper.start_projector()
    code, output = await innkeeper.projector_cli("rebuild")
    assert code == 0, output
    assert projector
    assert republished >= 6
    assert len(mail.messages()) == 3
    assert len(webhook.requests()) == 2
    assert len(await deliveries(innkeeper)) == seen


def _events_taken(innkeeper: Innkeeper) -> int:
    """The notifier's own count of events it took in (its /metrics)."""
    [process] = innkeeper.notifiers
    text = httpx.get(f"{process.url}/metrics", headers=operator(), timeout=5).text
    return int(sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                   if line.startswith("innkeeper_notifier_events_received_total{")))  # fmt: skip
