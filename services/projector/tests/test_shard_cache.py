"""The shard cache: a warm batch reads only what it has never seen; staleness ends in a conflict."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable
from datetime import date

import pytest
from projector_builders import HOTEL, Log, money, room, stay

from innkeeper_contracts import EventEnvelope, HotelRegistered, RefundIssued, RoomCapacityChanged, StayBooked
from innkeeper_contracts.documents import HOTEL_CARDS, HOTEL_DETAILS
from projector.planner import plan_batch
from projector.ports import Changes, Checkpoint, WriteConflictError
from projector.projection import DocKey, Needs
from projector.projection.view import Doc
from projector.shard_cache import CachedStore
from projector.store.memory import MemoryStore

G = "g1"


class CountingStore(MemoryStore):
    """A MemoryStore that remembers which keys and aggregates were read from it."""

    def __init__(self) -> None:
        super().__init__()
        self.read_keys: list[DocKey] = []
        self.read_aggregates: list[str] = []

    async def checkpoints(self, generation: str, aggregate_ids: Iterable[str]) -> dict[str, Checkpoint]:
        ids = list(aggregate_ids)
        self.read_aggregates += ids
        return await super().checkpoints(generation, ids)

    async def load(self, generation: str, needs: Needs) -> tuple[dict[DocKey, Doc], dict[DocKey, int]]:
        self.read_keys += sorted(needs.keys)
        return await super().load(generation, needs)


def hotel_log() -> Log:
    log = Log()
    rooms = [room("DBL", 2, 100)]
    log.add(HOTEL, HotelRegistered(hotel_id=HOTEL, name="Sea", city="Faro", stars=3, room_types=rooms))
    return log


def book(log: Log, day: int) -> uuid.UUID:
    booking = uuid.uuid4()
    log.add(booking, StayBooked(**stay(booking, "DBL", date(2027, 3, day), 2)))
    return booking


async def apply(store: MemoryStore | CachedStore, log: Log, envelopes: list[EventEnvelope]) -> None:
    plan = await plan_batch(store, G, envelopes, log)
    await store.save(G, Changes(plan.view.changed, plan.revisions, plan.checkpoints))


async def test_a_warm_batch_reads_only_what_it_never_saw() -> None:
    log, counting = hotel_log(), CountingStore()
    cached = CachedStore(counting)
    book(log, 1)
    await apply(cached, log, log.envelopes)
    counting.read_keys.clear()
    counting.read_aggregates.clear()

    booking = book(log, 2)  # its second night is the first batch's second night: cached
    await apply(cached, log, log.envelopes[-1:])

    assert counting.read_aggregates == [str(booking)]
    assert (HOTEL_CARDS, str(HOTEL)) not in counting.read_keys
    assert (HOTEL_DETAILS, str(HOTEL)) not in counting.read_keys
    assert len(counting.read_keys) == 2  # the new booking page and the one night never seen
    assert counting.docs == (await clean_run(log)).docs


async def test_redelivered_and_shuffled_batches_through_the_cache_equal_a_clean_run() -> None:
    log = hotel_log()
    for day in range(1, 8):
        booking = book(log, day)
        log.add(
            booking,
            RefundIssued(booking_id=booking, hotel_id=HOTEL, guest_id="g", amount=money(1), policy="full"),
        )
    store = MemoryStore()
    cached = CachedStore(store)
    await apply(cached, log, log.envelopes[:1])
    shuffled = log.envelopes * 2
    random.Random(4).shuffle(shuffled)
    for start in range(0, len(shuffled), 4):
        await apply(cached, log, shuffled[start : start + 4])
    clean = await clean_run(log)
    assert store.docs == clean.docs
    assert store.checkpoint_docs == clean.checkpoint_docs


async def test_a_stale_entry_ends_in_a_write_conflict_then_a_fresh_read() -> None:
    log, store = hotel_log(), MemoryStore()
    cached = CachedStore(store)
    book(log, 1)
    await apply(cached, log, log.envelopes)
    # Another consumer applies a capacity change behind this cache's back.
    log.add(HOTEL, RoomCapacityChanged(hotel_id=HOTEL, room_type="DBL", capacity=1, previous_capacity=2))
    await apply(store, log, log.envelopes[-1:])

    book(log, 1)  # reads the card this cache holds in its old revision
    with pytest.raises(WriteConflictError):
        await apply(cached, log, log.envelopes[-1:])
    await apply(cached, log, log.envelopes[-1:])  # the failed save emptied the cache

    clean = await clean_run(log)
    assert store.docs == clean.docs
    assert store.checkpoint_docs == clean.checkpoint_docs


async def test_a_new_generation_starts_with_an_empty_cache() -> None:
    log, counting = hotel_log(), CountingStore()
    cached = CachedStore(counting)
    await apply(cached, log, log.envelopes)
    counting.read_aggregates.clear()
    await cached.checkpoints("g2", [str(HOTEL)])
    assert counting.read_aggregates == [str(HOTEL)]


async def clean_run(log: Log) -> MemoryStore:
    clean = MemoryStore()
    await apply(clean, log, log.envelopes)
    return clean
