"""How many MongoDB writes (documents + checkpoints) the live batch path makes per event, for batches
shaped like the bench's: every booking is StayBooked + GuestNotificationRequested, 1-3 nights within
the next year, on one shard's share of the bench's 48 hotels (4 shards)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pytest
from projector_builders import Log, room, stay

from innkeeper_contracts import EventEnvelope, GuestNotificationRequested, HotelRegistered, StayBooked
from projector.planner import plan_batch
from projector.ports import Alongside, Changes, Generations, ReadStore, Written
from projector.store.memory import MemoryStore
from projector.writer import BatchWriter

G = "g1"
HOTELS_PER_SHARD = 12


class CountingStore(MemoryStore):
    """A MemoryStore that counts what each save writes: documents, and checkpoints."""

    def __init__(self) -> None:
        super().__init__()
        self.document_writes = 0
        self.checkpoint_writes = 0
        self.saves = 0

    async def save(self, generation: str, changes: Changes, alongside: Alongside | None = None) -> Written:
        # A document created and deleted within the batch is not written at all.
        written = [k for k, d in changes.documents.items() if d is not None or k in changes.revisions]
        self.document_writes += len(written)
        self.checkpoint_writes += len(changes.checkpoints)
        self.saves += 1
        return await super().save(generation, changes, alongside)


class QuietShard:
    """Generations, status and parking lot of a shard no one else writes and nothing is parked on."""

    async def current(self) -> Generations:
        return Generations(G)

    async def only_mine_since(self, shard: str) -> tuple[bool, int | None]:
        return True, 0

    async def record(self, shard: str, plan: object, delivered: int) -> bool:
        return True

    async def blocked(
        self, aggregate_ids: Iterable[str], shard: str | None = None, changes: Any = None
    ) -> Any:
        return set(), {}

    async def park(self, entries: object, shard: str, attempts: int = 0, traceparents: object = None) -> None:
        return None

    async def resolved(self, event_ids: Iterable[str]) -> None:
        return None


def bench_bookings(count: int, seed: int = 1) -> tuple[Log, list[EventEnvelope]]:
    """Hotels registered (already applied), then `count` bookings of two events each."""
    rng, log = random.Random(seed), Log()
    hotels = [uuid.uuid4() for _ in range(HOTELS_PER_SHARD)]
    for hotel in hotels:
        rooms = [room("DBL", 10_000, 100)]
        log.add(hotel, HotelRegistered(hotel_id=hotel, name="Sea", city="Faro", stars=3, room_types=rooms))
    registered = len(log.envelopes)
    for index in range(count):
        hotel, booking = rng.choice(hotels), uuid.uuid4()
        check_in = date(2027, 1, 3) + timedelta(days=rng.randint(0, 358))
        booked_at = datetime(2027, 1, 1, tzinfo=UTC) + timedelta(seconds=index)
        details = stay(booking, "DBL", check_in, rng.randint(1, 3), hotel_id=hotel, booked_at=booked_at)
        log.add(booking, StayBooked(**details))
        confirm = {"guest_id": "g-1", "email": "ann@example.com", "template": "booking_confirmed"}
        log.add(booking, GuestNotificationRequested(booking_id=booking, hotel_id=hotel, **confirm))
    return log, log.envelopes[registered:]


async def writes_per_event(batch_size: int, bookings: int) -> tuple[float, CountingStore]:
    log, envelopes = bench_bookings(bookings)
    documents = CountingStore()
    registered = await plan_batch(documents, G, log.envelopes[: -len(envelopes)], log)
    await documents.save(G, registered.changes())
    documents.document_writes = documents.checkpoint_writes = documents.saves = 0
    shard = cast(Any, QuietShard())
    store = ReadStore(documents, shard, shard, shard, cast(Any, None), cast(Any, None))
    writer = BatchWriter(store, cast(Any, log))
    for start in range(0, len(envelopes), batch_size):
        await writer.write("shard-0", envelopes[start : start + batch_size])
    return (documents.document_writes + documents.checkpoint_writes) / len(envelopes), documents


@pytest.mark.parametrize("batch_size", [200, 100])
async def test_bench_batches_write_at_most_two_and_a_half_times_per_event(batch_size: int) -> None:
    per_event, documents = await writes_per_event(batch_size, bookings=600)
    # One checkpoint per aggregate per batch (not per event): a booking's two events share one.
    assert documents.checkpoint_writes == 600
    assert per_event <= 2.5
    if batch_size == 200:  # the bench's drain (mean batch 173): nights and cards merge within a batch
        assert per_event <= 2.1


async def test_a_booking_pair_in_one_batch_writes_each_document_once() -> None:
    _, documents = await writes_per_event(batch_size=2, bookings=300)
    _, envelopes = bench_bookings(300)
    nights = sum(StayBooked.model_validate(e.data).nights for e in envelopes[::2])
    # per booking: its page (inserted once, at the notification's version), the card, each night, and
    # one checkpoint — 2.5 writes per event for the bench's mean of two nights
    assert documents.document_writes == 2 * 300 + nights
    assert documents.checkpoint_writes == 300
    assert documents.saves == 300
