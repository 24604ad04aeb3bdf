"""Reconciling the read store with the event log (in memory): what a store lost is applied again, the
result equals a store that never lost anything, what is parked or arrives during the grace is left to
the ordinary path, and the store watch asks for a reconciliation on each of its three signals."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from projector_builders import Log, money, room, stay
from test_writes_per_event import G, QuietShard

from innkeeper_contracts import BookingCancelled, EventEnvelope, HotelRegistered, StayBooked
from projector.failures import Failures
from projector.metrics import Metrics
from projector.ports import GENERATION_BASES, ReadStore
from projector.rebuild_pause import RebuildPause
from projector.reconcile import Reconciler
from projector.store.memory import MemoryHeartbeats, MemoryStore
from projector.store_watch import StoreWatch
from projector.writer import BatchWriter


class FullLog(Log):
    """The builders' log, with what reconciling reads of it."""

    async def horizon(self) -> int:
        return len(self.envelopes)

    async def versions_at(self, horizon: int) -> dict[str, int]:
        found: dict[str, int] = {}
        for e in self.envelopes[:horizon]:
            found[str(e.aggregate_id)] = e.aggregate_version
        return found

    async def newer_than(self, versions: dict[str, int], horizon: int) -> list[EventEnvelope]:
        return [
            e
            for e in self.envelopes[:horizon]
            if str(e.aggregate_id) in versions and e.aggregate_version > versions[str(e.aggregate_id)]
        ]


class Parked(QuietShard):
    """A parking lot holding an event of `aggregate`."""

    def __init__(self, aggregate: str) -> None:
        self.aggregate = aggregate

    async def blocked(
        self, aggregate_ids: Iterable[str], shard: str | None = None, changes: Any = None
    ) -> Any:
        return {self.aggregate} & set(aggregate_ids), {}


def hotels_and_bookings(seed: int = 5) -> FullLog:
    rng, log = random.Random(seed), FullLog()
    hotels = [uuid.uuid4() for _ in range(3)]
    for hotel in hotels:
        rooms = [room("DBL", 5, 100)]
        log.add(hotel, HotelRegistered(hotel_id=hotel, name="Sea", city="Faro", stars=3, room_types=rooms))
    bookings: list[tuple[uuid.UUID, uuid.UUID, date, int]] = []
    for _ in range(40):
        if bookings and rng.random() < 0.3:
            booking, hotel, check_in, nights = bookings.pop(rng.randrange(len(bookings)))
            cancel = BookingCancelled(
                booking_id=booking,
                hotel_id=hotel,
                room_type="DBL",
                guest_id="g-1",
                check_in=check_in,
                check_out=check_in + timedelta(days=nights),
                reason="r",
                cancelled_at=datetime(2027, 1, 2, tzinfo=UTC),
                refund_policy="full",
                refund=money(100 * nights),
            )
            log.add(booking, cancel)
            continue
        hotel, booking, nights = rng.choice(hotels), uuid.uuid4(), rng.randint(1, 3)
        check_in = date(2027, 2, 1) + timedelta(days=rng.randint(0, 5))
        log.add(booking, StayBooked(**stay(booking, "DBL", check_in, nights, hotel_id=hotel)))
        bookings.append((booking, hotel, check_in, nights))
    return log


def projector(
    log: FullLog, parking: QuietShard | None = None, documents: MemoryStore | None = None
) -> tuple[MemoryStore, BatchWriter, Reconciler]:
    documents, quiet = documents or MemoryStore(), QuietShard()
    lot = cast(Any, parking or quiet)
    store = ReadStore(documents, cast(Any, quiet), lot, cast(Any, quiet), cast(Any, None), cast(Any, None))
    writer = BatchWriter(store, cast(Any, log))
    pause = RebuildPause(store.generations, MemoryHeartbeats())
    pause.open.set()
    return documents, writer, Reconciler(store, log, writer, pause, Metrics(), grace=0.0, chunk=7)


async def contents(documents: MemoryStore) -> dict[str, Any]:
    return {base: await documents.contents(G, base) for base in GENERATION_BASES}


async def test_a_store_that_lost_its_last_writes_gets_them_again_and_equals_one_that_never_did() -> None:
    log = hotels_and_bookings()
    whole, writer, _ = projector(log)
    await writer.write("shard-0", log.envelopes)
    restored, writer, reconciler = projector(log)
    await writer.write("shard-0", log.envelopes[:25])  # a snapshot taken after the 25th event

    assert await reconciler.reconcile("start") == len(log.envelopes) - 25
    assert await contents(restored) == await contents(whole)
    assert reconciler.status.state == "ok"
    assert reconciler.status.missing_events == 0
    assert reconciler.status.repaired_events == len(log.envelopes) - 25
    assert await reconciler.reconcile("again") == 0  # in step: nothing to apply


async def test_a_checkpoint_rolled_back_alone_applies_its_events_again_without_doubling() -> None:
    log = hotels_and_bookings(seed=8)
    whole, writer, _ = projector(log)
    await writer.write("shard-0", log.envelopes)
    expected = await contents(whole)
    stored = whole.checkpoint_docs[G]
    booking = next(a for a, c in stored.items() if c.version == 2)  # booked, then cancelled
    stored[booking] = type(stored[booking])(0, 0)  # the documents still reflect both events
    _, _, reconciler = projector(log, documents=whole)

    assert await reconciler.reconcile("tampered") == 2
    assert await contents(whole) == expected


async def test_an_aggregate_with_a_parked_event_is_left_to_the_parking_lot() -> None:
    log = hotels_and_bookings(seed=9)
    last = str(log.envelopes[-1].aggregate_id)
    lost = [e for e in log.envelopes if str(e.aggregate_id) == last]
    restored, writer, reconciler = projector(log, Parked(last))
    await writer.write("shard-0", [e for e in log.envelopes if str(e.aggregate_id) != last])

    assert await reconciler.reconcile("start") == 0
    assert last not in restored.checkpoint_docs[G]
    assert reconciler.status.state == "ok"
    assert lost


async def test_events_that_arrive_during_the_grace_are_not_applied_again() -> None:
    log = hotels_and_bookings(seed=10)
    _, writer, reconciler = projector(log)
    await writer.write("shard-0", log.envelopes[:30])
    states: list[tuple[str, int]] = []

    # The queue delivers the rest during the second wait.
    async def deliveries_land(seconds: float, at_least: float = 0.0) -> None:
        states.append((reconciler.status.state, reconciler.status.missing_events))
        if len(states) == 2:
            await writer.write("shard-0", log.envelopes[30:])

    reconciler.settle = deliveries_land  # type: ignore[method-assign]
    assert await reconciler.reconcile("start") == 0
    # Quiet first (nothing compared yet), then behind by what had not arrived, then nothing missing.
    assert states == [("ok", 0), ("behind", len(log.envelopes) - 30)]
    assert reconciler.status.state == "ok"


async def test_the_comparison_waits_for_a_moment_without_writes() -> None:
    log = hotels_and_bookings(seed=12)
    _, writer, reconciler = projector(log)
    await writer.write("shard-0", log.envelopes[:30])
    waiting = asyncio.create_task(reconciler.settle(3600.0))  # a batch was just written: not quiet
    await asyncio.sleep(0.05)
    assert not waiting.done()
    writer.written_at -= 3600.0  # as if the last batch were an hour old
    await asyncio.wait_for(waiting, 5)


class FakeStore:
    """What the store watch reads: the server's identity and the status it lost; `down` refuses both."""

    def __init__(self) -> None:
        self.identity, self.down, self.forgotten = "p1", False, 0
        self.lost: list[str] = []
        self.connection, self.status = self, self

    async def identity_of(self) -> str:
        if self.down:
            raise ConnectionRefusedError("store down")
        return self.identity

    async def lost_since_recorded(self) -> list[str]:
        return list(self.lost)

    def forget(self) -> None:
        self.forgotten += 1


async def test_the_store_watch_asks_for_a_reconciliation_on_each_signal() -> None:
    log = hotels_and_bookings()
    _, writer, reconciler = projector(log)
    fake = FakeStore()
    fake.connection = cast(Any, type("Connection", (), {"identity": lambda _: fake.identity_of()})())
    watch = StoreWatch(cast(Any, fake), writer, reconciler, Failures((), lambda _: False))

    assert await watch.check() is None  # first look: the identity is learnt
    assert await watch.check() is None
    fake.down = True
    assert await watch.check() is None
    fake.down = False
    assert await watch.check() == "store reachable again"
    fake.identity = "p2"  # restarted between two probes
    assert await watch.check() == "store restarted"
    fake.lost = ["shard-1"]
    assert await watch.check() == "store lost writes of shard-1"
    assert fake.forgotten == 3
    assert reconciler.wanted.is_set()
