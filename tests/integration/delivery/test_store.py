"""The delivery records on a real PostgreSQL: idempotent recording, claims two replicas cannot share,
the booking's order, and the retention sweep."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from innkeeper_contracts import EventEnvelope, GuestNotificationRequested, Money
from notifier.plans import PlannedDelivery
from notifier.store import DeliveryStore

BOOKING, HOTEL = uuid4(), uuid4()


def notification(version: int, template: str) -> EventEnvelope:
    event = GuestNotificationRequested(
        booking_id=BOOKING, hotel_id=HOTEL, guest_id="g-1", email="ada@example.com",
        template=template, refund=Money(amount=Decimal("1.00"), currency="EUR"),
        check_in=date(2027, 1, 2), check_out=date(2027, 1, 3),
    )  # fmt: skip
    return EventEnvelope(
        event_id=uuid4(), event_type="GuestNotificationRequested", schema_version=1, aggregate_type="booking",
        aggregate_id=BOOKING, aggregate_version=version, global_position=version, partition_key=str(HOTEL),
        occurred_at=datetime.now(UTC), correlation_id="c", causation_id="c",
        data=event.model_dump(mode="json"),
    )  # fmt: skip


@pytest.fixture
async def store(postgres_dsn: str) -> AsyncIterator[DeliveryStore]:
    opened = await DeliveryStore.connect(postgres_dsn, size=4)
    try:
        yield opened
    finally:
        await opened.close()


def mail(template: str) -> PlannedDelivery:
    return PlannedDelivery("mail", "ada@example.com", template)


async def test_recording_an_event_again_adds_nothing(store: DeliveryStore) -> None:
    confirmed = notification(2, "booking_confirmed")
    assert await store.record([(confirmed, mail("booking_confirmed"))]) == [("mail", "pending")]
    assert await store.record([(confirmed, mail("booking_confirmed"))]) == []
    assert (await store.backlog())["open"] == 1


async def test_a_claim_is_held_and_the_booking_order_kept(store: DeliveryStore) -> None:
    await store.record([(notification(5, "booking_cancelled"), mail("booking_cancelled"))])
    await store.record([(notification(2, "booking_confirmed"), mail("booking_confirmed"))])
    [first] = await store.claim(10, lease_seconds=60)
    assert first.template == "booking_confirmed"  # the cancellation waits behind it
    assert await store.claim(10, lease_seconds=60) == []  # another replica gets nothing meanwhile
    await store.retry_later(first, 0, "SMTP 451 try later")
    [again] = await store.claim(10, lease_seconds=60)
    assert (again.id, again.attempts) == (first.id, 2)
    await store.delivered(again)
    [then] = await store.claim(10, lease_seconds=60)
    assert then.template == "booking_cancelled"


async def test_an_expired_lease_is_claimed_again(store: DeliveryStore) -> None:
    await store.record([(notification(2, "booking_confirmed"), mail("booking_confirmed"))])
    [claimed] = await store.claim(1, lease_seconds=0.01)  # its claimant "died"
    await asyncio.sleep(0.05)  # the lease runs out
    [taken] = await store.claim(1, lease_seconds=60)
    assert (taken.id, taken.attempts) == (claimed.id, 2)
    assert not await store.delivered(claimed)  # the first claimant, back late, changes nothing
    assert await store.retry_later(taken, 0, "SMTP 421 busy")


async def test_the_sweep_forgets_finished_records_past_their_retention_only(store: DeliveryStore) -> None:
    await store.record([(notification(2, "booking_confirmed"), mail("booking_confirmed"))])
    await store.record([(notification(3, "booking_cancelled"), PlannedDelivery("mail", "x@y.example", "t"))])
    delivered, failed = await store.claim(2, lease_seconds=60)
    await store.delivered(delivered)
    await store.failed(failed, "SMTP 550 no such user")
    assert await store.sweep(retention_days=1, failed_retention_days=7) == 0  # too young
    await store.pool.execute("UPDATE notifier.deliveries SET finished_at = now() - interval '2 days'")
    assert await store.sweep(retention_days=1, failed_retention_days=7) == 1
    assert [d.id for d in await store.failed_deliveries()] == [failed.id]  # waits for an operator
    assert isinstance(failed.event_id, UUID)
    # A dead-lettered record holds its event (a guest's data): it goes after its own retention.
    await store.pool.execute("UPDATE notifier.deliveries SET finished_at = now() - interval '8 days'")
    assert await store.sweep(retention_days=1, failed_retention_days=7) == 1
    assert await store.failed_deliveries() == []
