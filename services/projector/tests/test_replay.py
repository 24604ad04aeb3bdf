"""Replay while commands keep committing: the rebuild's catch-up ends near the head, its tail at a bound."""

from __future__ import annotations

import uuid

import pytest
from projector_builders import Log, room

from innkeeper_contracts import EventEnvelope, HotelRegistered
from projector.replay import replay
from projector.store.memory import MemoryStore

CHUNK = 10


class BusyLog(Log):
    """An event log a steady writer appends to: one more event commits before every scan."""

    def __init__(self, events: int) -> None:
        super().__init__()
        self.scans = 0
        for _ in range(events):
            self.commit()

    def commit(self) -> None:
        hotel = uuid.uuid4()
        event = HotelRegistered(
            hotel_id=hotel, name="Sea", city="Faro", stars=3, room_types=[room("DBL", 2, 90)]
        )
        self.add(hotel, event)

    async def after(self, position: int, limit: int) -> list[EventEnvelope]:
        self.scans += 1
        if self.scans > 100:
            pytest.fail("the replay keeps chasing the head of a log that never stops growing")
        self.commit()
        return [e for e in self.envelopes if e.global_position > position][:limit]


async def test_catch_up_stops_near_the_head_of_a_log_that_keeps_growing() -> None:
    log = BusyLog(events=35)
    result = await replay(MemoryStore(), "g1", log, CHUNK, near_head=True)  # type: ignore[arg-type]
    assert log.scans == 4  # 10, 10, 10, then a short scan (9): the rest is the pause's short tail
    assert result.position == result.applied == 39


async def test_the_tail_replays_up_to_the_bound_and_no_further() -> None:
    log = BusyLog(events=25)
    store = MemoryStore()
    result = await replay(store, "g1", log, CHUNK, until=22)  # type: ignore[arg-type]
    assert (result.position, result.applied) == (22, 22)
    assert len(await store.checkpoints("g1", [str(e.aggregate_id) for e in log.envelopes])) == 22
