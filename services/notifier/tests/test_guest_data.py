"""A delivery's sealed personal data is opened at send time only: the mail goes to the clear address with
the clear name; a key that is gone cancels it (not sent, not retried); keys that cannot be read are a
temporary failure (never taken for erased); a legacy event in clear is sent as it is."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime
from typing import cast
from uuid import uuid4

import asyncpg
import pytest
from notifier_builders import CHECK_IN, CHECK_OUT, GuestKeysHeld, envelope, eur, stay

from innkeeper_contracts import GuestNotificationRequested
from innkeeper_kit.personal import seal
from notifier.backoff import Backoff
from notifier.deliveries import Delivery
from notifier.failures import GuestDataErasedError, TemporaryFailureError
from notifier.guest_data import open_delivery
from notifier.metrics import Metrics
from notifier.plans import deliveries_for
from notifier.send_attempts import SendAttempts
from notifier.store import DeliveryStore

KEY_ID, KEY = uuid4(), os.urandom(32)


def notification(email: str, name: str) -> GuestNotificationRequested:
    return GuestNotificationRequested(
        **stay(), guest_id="g-1", email=email, guest_name=name, template="booking_confirmed",  # type: ignore[arg-type]
        hotel_name="Seaview", check_in=CHECK_IN, check_out=CHECK_OUT, total_price=eur("300.00"),
    )  # fmt: skip


def delivery_of(event: GuestNotificationRequested) -> Delivery:
    recorded = envelope(event)
    [planned] = deliveries_for(recorded, [])
    return Delivery(
        id=1, event_id=recorded.event_id, event_type=recorded.event_type, channel="mail",
        recipient=planned.recipient, template=planned.template, correlation_id="corr-1", envelope=recorded,
        state="sending", attempts=1, last_error=None, created_at=datetime.now(UTC), claim=uuid4(),
    )  # fmt: skip


def sealed() -> Delivery:
    return delivery_of(notification(seal(KEY_ID, KEY, "ada@example.com"), seal(KEY_ID, KEY, "Ada Berg")))


async def test_a_sealed_delivery_is_opened_in_memory_with_the_guests_key() -> None:
    delivery = sealed()
    assert "ada@example.com" not in delivery.envelope.model_dump_json()
    keys = GuestKeysHeld({KEY_ID: KEY})
    clear = await open_delivery(delivery, keys)
    assert clear.recipient == "ada@example.com"
    assert clear.envelope.data["guest_name"] == "Ada Berg"
    assert keys.asked == [{KEY_ID}]
    assert delivery.recipient == "guest:g-1"  # the record's copy stays sealed


async def test_an_erased_key_is_reported_as_erased() -> None:
    with pytest.raises(GuestDataErasedError) as erased:
        await open_delivery(sealed(), GuestKeysHeld({}))
    assert erased.value.key_ids == [KEY_ID]


async def test_keys_that_cannot_be_read_are_a_temporary_failure_not_an_erasure() -> None:
    away = GuestKeysHeld(unreachable=ConnectionRefusedError("connection refused"))
    with pytest.raises(TemporaryFailureError, match="guest keys could not be read"):
        await open_delivery(sealed(), away)
    missing_table = GuestKeysHeld(unreachable=asyncpg.UndefinedTableError("guest_keys"))
    with pytest.raises(TemporaryFailureError):
        await open_delivery(sealed(), missing_table)


async def test_a_webhook_of_an_event_with_sealed_texts_is_opened_and_cancelled_alike() -> None:
    hook = replace(sealed(), channel="webhook", recipient="crm", template="webhook")
    clear = await open_delivery(hook, GuestKeysHeld({KEY_ID: KEY}))
    assert clear.recipient == "crm"  # a subscriber, not the guest
    assert (clear.envelope.data["email"], clear.envelope.data["guest_name"]) == (
        "ada@example.com",
        "Ada Berg",
    )
    clear.envelope.event()  # still a valid event: what the subscriber receives
    with pytest.raises(GuestDataErasedError):
        await open_delivery(hook, GuestKeysHeld({}))


async def test_a_legacy_event_in_clear_needs_no_key() -> None:
    legacy = delivery_of(notification("ada@example.com", "Ada Berg"))
    keys = GuestKeysHeld({})
    assert await open_delivery(legacy, keys) is legacy
    assert keys.asked == []


class Outcomes:
    """The store's side of an attempt, recording each outcome and its reason."""

    def __init__(self) -> None:
        self.recorded: list[tuple[str, str | None]] = []

    async def delivered(self, delivery: Delivery) -> bool:
        self.recorded.append(("delivered", None))
        return True

    async def cancelled(self, delivery: Delivery, reason: str) -> bool:
        self.recorded.append(("cancelled", reason))
        return True

    async def retry_later(self, delivery: Delivery, seconds: float, reason: str) -> bool:
        self.recorded.append(("retried", reason))
        return True


class Mailbox:
    def __init__(self) -> None:
        self.sent: list[Delivery] = []

    async def send(self, delivery: Delivery) -> None:
        self.sent.append(delivery)


def attempts(outcomes: Outcomes, mailbox: Mailbox, keys: GuestKeysHeld, metrics: Metrics) -> SendAttempts:
    return SendAttempts(
        cast(DeliveryStore, outcomes), {"mail": mailbox}, Backoff(1, 10), keys=keys, max_attempts=3,
        send_timeout=5, lease_seconds=30, metrics=metrics,
    )  # fmt: skip


def cancelled_count(metrics: Metrics) -> float | None:
    labels = {"channel": "mail", "outcome": "cancelled"}
    return metrics.registry.get_sample_value("innkeeper_notifier_deliveries_total", labels)


async def test_an_attempt_sends_the_clear_mail_or_cancels_it_once_the_key_is_gone() -> None:
    outcomes, mailbox, metrics = Outcomes(), Mailbox(), Metrics()
    await attempts(outcomes, mailbox, GuestKeysHeld({KEY_ID: KEY}), metrics).make(sealed())
    assert [d.recipient for d in mailbox.sent] == ["ada@example.com"]
    await attempts(outcomes, mailbox, GuestKeysHeld({}), metrics).make(sealed())
    assert len(mailbox.sent) == 1  # nothing sent
    assert outcomes.recorded == [("delivered", None), ("cancelled", "guest_data_erased")]
    assert cancelled_count(metrics) == 1


async def test_an_attempt_whose_keys_cannot_be_read_is_retried() -> None:
    outcomes, mailbox = Outcomes(), Mailbox()
    away = GuestKeysHeld(unreachable=OSError("connection refused"))
    await attempts(outcomes, mailbox, away, Metrics()).make(replace(sealed(), attempts=1))
    assert mailbox.sent == []
    [(outcome, reason)] = outcomes.recorded
    assert outcome == "retried"
    assert "guest keys could not be read" in str(reason)
