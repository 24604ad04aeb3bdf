"""The batch planner over the in-memory store: duplicates, gaps, failures, compare-and-swap."""

from __future__ import annotations

import random
import uuid
from datetime import date

import pytest
from projector_builders import HOTEL, Log, money, room, stay

from innkeeper_contracts import HotelRegistered, RefundIssued, StayBooked
from innkeeper_contracts.documents import BOOKINGS, HOTEL_NIGHTS
from projector.planner import plan_batch
from projector.ports import Changes, WriteConflictError
from projector.store.memory import MemoryStore

G = "g1"


def story() -> Log:
    log = Log()
    log.add(
        HOTEL,
        HotelRegistered(hotel_id=HOTEL, name="Sea", city="Faro", stars=3, room_types=[room("DBL", 2, 100)]),
    )
    for day in range(1, 6):
        booking = uuid.uuid4()
        log.add(booking, StayBooked(**stay(booking, "DBL", date(2027, 3, day), 2)))
        log.add(
            booking,
            RefundIssued(booking_id=booking, hotel_id=HOTEL, guest_id="g-1", amount=money(1), policy="full"),
        )
    return log


async def apply(store: MemoryStore, log: Log, envelopes: list) -> None:  # type: ignore[type-arg]
    plan = await plan_batch(store, G, envelopes, log)
    await store.save(G, Changes(plan.view.changed, plan.revisions, plan.checkpoints))


async def test_duplicates_and_shuffled_redelivery_give_the_documents_of_a_clean_run() -> None:
    log = story()
    clean, messy = MemoryStore(), MemoryStore()
    await apply(clean, log, log.envelopes)
    await apply(messy, log, log.envelopes[:4])
    shuffled = log.envelopes * 2
    random.Random(1).shuffle(shuffled)
    for start in range(0, len(shuffled), 3):
        await apply(messy, log, shuffled[start : start + 3])
    assert messy.docs == clean.docs
    assert messy.checkpoint_docs == clean.checkpoint_docs


async def test_a_gap_is_healed_from_the_log_never_skipped() -> None:
    log = story()
    store = MemoryStore()
    await apply(store, log, log.envelopes[:1])
    refund = log.envelopes[2]  # version 2 of a booking whose version 1 was never delivered
    await apply(store, log, [refund])
    assert store.docs[G][(BOOKINGS, str(refund.aggregate_id))]["version"] == 2


async def test_a_gap_without_the_log_fails_its_event_and_holds_its_aggregate_never_skips() -> None:
    log = story()
    store = MemoryStore()
    await apply(store, log, log.envelopes[:1])
    refund, other = log.envelopes[2], log.envelopes[3]  # version 2 of one booking; another booking
    cancel = log.add(
        refund.aggregate_id,
        RefundIssued(
            booking_id=refund.aggregate_id, hotel_id=HOTEL, guest_id="g-1", amount=money(1), policy="full"
        ),
    )
    plan = await plan_batch(store, G, [refund, cancel, other], None)
    assert [(f.envelope, f.kind) for f in plan.failed] == [(refund, "gap")]
    assert "gap 0..2" in plan.failed[0].reason
    assert plan.behind == [cancel]  # waits behind the gap
    assert plan.applied == [other]


async def test_a_failing_event_stops_its_aggregate_only() -> None:
    log = story()
    store = MemoryStore()
    await apply(store, log, log.envelopes[:1])
    bad = uuid.uuid4()
    log.add(bad, StayBooked(**stay(bad, "NOPE", date(2027, 3, 1), 1)))
    log.add(bad, RefundIssued(booking_id=bad, hotel_id=HOTEL, guest_id="g-1", amount=money(1), policy="full"))
    plan = await plan_batch(store, G, log.envelopes[1:], log)
    assert [(f.envelope.aggregate_id, f.kind) for f in plan.failed] == [(bad, "retry")]
    assert [e.aggregate_version for e in plan.behind] == [2]
    assert len(plan.applied) == 10
    assert str(bad) not in plan.checkpoints


async def test_a_concurrent_writer_is_detected_by_revision() -> None:
    log = story()
    store = MemoryStore()
    await apply(store, log, log.envelopes[:2])
    first = await plan_batch(store, G, log.envelopes[3:4], log)
    second = await plan_batch(store, G, log.envelopes[3:4], log)
    await store.save(G, Changes(first.view.changed, first.revisions, first.checkpoints))
    with pytest.raises(WriteConflictError):
        await store.save(G, Changes(second.view.changed, second.revisions, second.checkpoints))
    nights = [d for (base, _), d in store.docs[G].items() if base == HOTEL_NIGHTS]
    assert {d["booked"] for d in nights} == {1, 2}
