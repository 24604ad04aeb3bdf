"""The planner loads the data keys a batch needs once, with its documents, on every path (gap healing
too); a key store that cannot be read fails the batch — nothing is written, nothing shown as erased."""

from __future__ import annotations

import os
import uuid
from collections.abc import Collection
from datetime import date
from typing import Any, cast

import pytest
from projector_builders import HOTEL, Log, room, stay

from innkeeper_contracts import HotelRegistered, SealedGuest, StayBooked
from innkeeper_contracts.documents import BOOKINGS
from innkeeper_kit.personal import ERASED, MasterKeyError, seal
from projector.failures import Failures
from projector.planner import plan_batch
from projector.ports import KeyStoreMissingError
from projector.replay import replay
from projector.store.memory import MemoryStore

G = "g1"


class Keys:
    """A key store in memory that counts its queries (and can be down)."""

    def __init__(self, keys: dict[uuid.UUID, bytes]) -> None:
        self.keys, self.queries, self.down = keys, [], False  # type: ignore[var-annotated]

    async def data_keys(self, key_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, bytes]:
        if self.down:
            raise ConnectionRefusedError("guest_keys: connection refused")
        if key_ids:
            self.queries.append(set(key_ids))
        return {k: self.keys[k] for k in key_ids if k in self.keys}


def guests(count: int) -> tuple[Log, dict[uuid.UUID, bytes]]:
    """A hotel and one booking each for `count` guests, every guest under a key of their own."""
    log, keys = Log(), {}
    rooms = [room("DBL", count, 100)]
    log.add(HOTEL, HotelRegistered(hotel_id=HOTEL, name="Sea", city="Faro", stars=3, room_types=rooms))
    for number in range(count):
        key_id, key = uuid.uuid4(), os.urandom(32)
        keys[key_id] = key
        guest = SealedGuest(
            guest_id=f"g-{number}",
            name=seal(key_id, key, f"Guest {number}"),
            email=seal(key_id, key, f"guest{number}@example.com"),
        )
        booking = uuid.uuid4()
        log.add(booking, StayBooked(**stay(booking, "DBL", date(2027, 3, 1), 1, guest=guest)))
    return log, keys


def names(store: MemoryStore) -> list[str]:
    return sorted(d["guest"]["name"] for (base, _), d in store.docs[G].items() if base == BOOKINGS)


async def test_a_batch_reads_its_keys_in_one_query_and_shows_each_guest_in_clear() -> None:
    log, keys = guests(3)
    key_store, store = Keys(keys), MemoryStore()
    plan = await plan_batch(store, G, log.envelopes, log, keys=key_store)
    await store.save(G, plan.changes())
    assert key_store.queries == [set(keys)]
    assert names(store) == ["Guest 0", "Guest 1", "Guest 2"]


async def test_a_guest_whose_key_is_gone_is_erased_and_the_others_are_not() -> None:
    log, keys = guests(2)
    gone = next(iter(keys))
    key_store, store = Keys({k: v for k, v in keys.items() if k != gone}), MemoryStore()
    await store.save(G, (await plan_batch(store, G, log.envelopes, log, keys=key_store)).changes())
    assert names(store) == ["Guest 1", ERASED]


async def test_events_read_from_the_log_to_heal_a_gap_get_their_keys_too() -> None:
    log, keys = guests(1)
    key_store, store = Keys(keys), MemoryStore()
    await store.save(G, (await plan_batch(store, G, log.envelopes[:1], log, keys=key_store)).changes())
    booking = log.envelopes[1].aggregate_id
    later = log.add(booking, StayBooked(**stay(booking, "DBL", date(2027, 3, 1), 1)))  # version 2
    plan = await plan_batch(store, G, [later], log, keys=key_store)  # version 1 is read from the log
    assert not plan.failed
    await store.save(G, plan.changes())
    assert names(store) == ["Guest 0"]


async def test_a_key_store_that_cannot_be_read_fails_the_batch_as_the_infrastructure() -> None:
    log, keys = guests(2)
    key_store, store = Keys(keys), MemoryStore()
    key_store.down = True
    with pytest.raises(ConnectionRefusedError) as raised:
        await plan_batch(store, G, log.envelopes, log, keys=key_store)
    assert Failures((), lambda _: False).is_infrastructure(raised.value)  # retried, never parked
    assert store.docs == {}
    with pytest.raises(ConnectionRefusedError):  # a rebuild or verify stops; it writes nothing erased
        await replay(store, G, cast(Any, Replayed(log)), 100, keys=key_store)
    assert store.docs == {}


def test_a_key_wrapped_by_a_master_key_not_configured_is_retried_not_parked() -> None:
    failures = Failures((), lambda _: False)
    assert failures.is_infrastructure(MasterKeyError("wrapped by 'old', not configured"))


async def test_a_projector_wired_without_a_key_store_never_shows_sealed_text_as_erased() -> None:
    log, _ = guests(1)
    with pytest.raises(KeyStoreMissingError):
        await plan_batch(MemoryStore(), G, log.envelopes, log)


async def test_a_replay_reveals_with_the_keys_as_they_are_now() -> None:
    log, keys = guests(2)
    gone = next(iter(keys))
    store = MemoryStore()
    key_store = Keys({k: v for k, v in keys.items() if k != gone})
    result = await replay(store, G, cast(Any, Replayed(log)), 2, keys=key_store)
    assert result.applied == 3
    assert names(store) == ["Guest 1", ERASED]


class Replayed:
    """The log as `replay` reads it: by position."""

    def __init__(self, log: Log) -> None:
        self.log = log

    async def after(self, position: int, limit: int) -> list[Any]:
        return [e for e in self.log.envelopes if e.global_position > position][:limit]

    async def between(self, aggregate_id: str, after: int, before: int) -> list[Any]:
        return await self.log.between(aggregate_id, after, before)
