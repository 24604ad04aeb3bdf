"""The operator's listing shows enough to act on and no address: the recipient masked, the reason too."""

from __future__ import annotations

from datetime import UTC, datetime

from notifier_builders import envelope, eur, stay

from innkeeper_contracts import RefundIssued
from notifier.cli import _line, mask
from notifier.deliveries import Delivery


def test_a_failed_mail_is_listed_without_the_guest_address() -> None:
    event = envelope(RefundIssued(**stay(), guest_id="g-1", amount=eur("5.00"), policy="full"))
    failed = Delivery(
        id=7, event_id=event.event_id, event_type="RefundIssued", channel="mail", recipient="ada@example.com",
        template="booking_cancelled", correlation_id="c", envelope=event, state="failed", attempts=1,
        last_error="SMTP 550 5.1.1 <ada@example.com>: Recipient address rejected",
        created_at=datetime.now(UTC), claim=None,
    )  # fmt: skip
    line = _line(failed)
    assert line["recipient"] == mask("ada@example.com") == "a***@example.com"
    assert "ada@example.com" not in str(line)
    assert str(line["reason"]).startswith("SMTP 550 5.1.1")
