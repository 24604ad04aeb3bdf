"""A consumer reads the parking lot again only when the lot's change count on its shard status moved:
every change that can block or free an aggregate (parking, an operator's retry or skip, a retried
event resolved) must bump it, or the consumer would go on with what it read before."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from story import Story

from innkeeper_contracts import EventEnvelope
from projector.planner import Plan
from projector.ports import ParkingLot, StatusBoard
from projector.projection import ReadView
from projector.store.mongo.parking import MongoParkingLot
from projector.store.mongo.status import MongoStatusBoard

SHARD = "shard-0"


@pytest.fixture
async def lot(mongodb_server: str, mongodb_database: str) -> AsyncIterator[tuple[ParkingLot, StatusBoard]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_server, tz_aware=True)
    database = client[mongodb_database]
    parking, status = MongoParkingLot(database), MongoStatusBoard(database)
    await status.record(SHARD, Plan(ReadView(), {}), 0)  # the shard's status document exists
    yield parking, status
    await client.drop_database(mongodb_database)
    await client.close()


async def seen(parking: ParkingLot, status: StatusBoard, aggregate: str) -> tuple[set[str], set[str]]:
    """What a batch of `aggregate` sees: the blocked aggregates and the ids being retried."""
    _, changes = await status.only_mine_since(SHARD)
    blocked, retrying = await parking.blocked({aggregate}, SHARD, changes)
    return blocked, set(retrying)


def an_event() -> EventEnvelope:
    return Story(seed=5).generate(hotels=1, steps=2).events[-1]


async def test_each_change_of_the_lot_is_seen_by_the_next_batch(lot: tuple[ParkingLot, StatusBoard]) -> None:
    parking, status = lot
    event = an_event()
    aggregate, event_id = str(event.aggregate_id), str(event.event_id)
    assert await seen(parking, status, aggregate) == (set(), set())  # read once, then kept

    await parking.park([(event, "failed", "boom")], SHARD, attempts=3)
    assert await seen(parking, status, aggregate) == ({aggregate}, set())

    await parking.mark([event_id], "retry")  # `dead-letters retry`, before it publishes
    assert await seen(parking, status, aggregate) == (set(), {event_id})

    await parking.resolved([event_id])
    assert await seen(parking, status, aggregate) == (set(), set())

    await parking.park([(event, "failed", "boom")], SHARD, attempts=3)
    await parking.mark([event_id], "skipped")  # `dead-letters skip`
    assert await seen(parking, status, aggregate) == (set(), set())


async def test_without_a_count_the_lot_is_read_for_the_batch(lot: tuple[ParkingLot, StatusBoard]) -> None:
    parking, _ = lot
    event = an_event()
    await parking.park([(event, "failed", "boom")], "shard-9")  # a shard with no status document yet
    assert await parking.blocked({str(event.aggregate_id)}, "shard-9", None) == (
        {str(event.aggregate_id)},
        {},
    )
