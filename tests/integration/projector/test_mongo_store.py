"""The MongoDB store, which sends each kind of write of a collection as its own request: a stale
revision, a document deleted or created meanwhile is still a conflict, and a batch that conflicts
writes no checkpoint."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from innkeeper_contracts.documents import BOOKINGS, CARD_REVISIONS, CHECKPOINTS, HOTEL_CARDS, HOTEL_NIGHTS
from projector.ports import Changes, Checkpoint, WriteConflictError
from projector.projection import Needs
from projector.store.mongo.documents import MongoDocumentStore

G = "g1"
NIGHT = (HOTEL_NIGHTS, "h1:2027-03-01")
BOOKING = (BOOKINGS, "b1")


@pytest.fixture
async def store(mongodb_server: str, mongodb_database: str) -> AsyncIterator[MongoDocumentStore]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_server)
    yield MongoDocumentStore(client[mongodb_database])
    await client.drop_database(mongodb_database)
    await client.close()


async def checkpoint_of(store: MongoDocumentStore, aggregate: str) -> int | None:
    found = await store.checkpoints(G, [aggregate])
    return found[aggregate].version if aggregate in found else None


async def test_a_batch_writes_its_documents_then_its_checkpoints(store: MongoDocumentStore) -> None:
    night = {"_id": NIGHT[1], "hotel_id": "h1", "booked": 1}
    first = Changes({NIGHT: night, BOOKING: {"_id": "b1"}}, {}, {"b1": Checkpoint(1, 10)}, {"b1"})
    assert await store.save(G, first) == {HOTEL_NIGHTS: 1, BOOKINGS: 1, CHECKPOINTS: 1}
    await store.save(G, Changes({NIGHT: {**night, "booked": 2}}, {NIGHT: 1}, {"b2": Checkpoint(1, 11)}))
    docs, revisions = await store.load(G, Needs(keys={NIGHT, BOOKING}))
    assert docs[NIGHT]["booked"] == 2
    assert revisions == {NIGHT: 2, BOOKING: 1}
    assert (await checkpoint_of(store, "b1"), await checkpoint_of(store, "b2")) == (1, 1)


@pytest.mark.parametrize("stale", ["changed", "deleted", "created"])
async def test_a_conflicting_batch_writes_no_checkpoint(store: MongoDocumentStore, stale: str) -> None:
    night = {"_id": NIGHT[1], "hotel_id": "h1", "booked": 1}
    await store.save(G, Changes({NIGHT: night}, {}, {}))
    if stale == "changed":  # another writer replaced the night since we read revision 1
        await store.save(G, Changes({NIGHT: {**night, "booked": 5}}, {NIGHT: 1}, {}))
    elif stale == "deleted":
        await store.save(G, Changes({NIGHT: None}, {NIGHT: 1}, {}))
    changes: dict[Any, Any] = {BOOKING: {"_id": "b1"}}
    if stale == "created":  # we think the booking is new; another writer created it
        await store.save(G, Changes(changes, {}, {}))
    else:
        changes[NIGHT] = {**night, "booked": 2}
    with pytest.raises(WriteConflictError):
        await store.save(G, Changes(changes, {NIGHT: 1}, {"b1": Checkpoint(1, 10)}, {"b1"}))
    assert await checkpoint_of(store, "b1") is None


async def test_a_checkpoint_created_meanwhile_is_a_conflict(store: MongoDocumentStore) -> None:
    await store.save(G, Changes({}, {}, {"b1": Checkpoint(1, 10)}, {"b1"}))
    with pytest.raises(WriteConflictError):
        await store.save(G, Changes({}, {}, {"b1": Checkpoint(1, 10)}, {"b1"}))
    await store.save(G, Changes({}, {}, {"b1": Checkpoint(2, 12)}))  # later checkpoints only move forward
    await store.save(G, Changes({}, {}, {"b1": Checkpoint(1, 10)}))
    assert await checkpoint_of(store, "b1") == 2
    assert await store.collection(CHECKPOINTS, G).count_documents({}) == 1


async def test_each_city_lists_the_revision_of_every_card_written(store: MongoDocumentStore) -> None:
    cards = {(HOTEL_CARDS, h): {"_id": h, "city": city} for h, city in (("h1", "Faro"), ("h2", "Faro"))}
    await store.save(G, Changes(cards, {}, {}))
    lisbon = (HOTEL_CARDS, "h3")
    changed = {
        (HOTEL_CARDS, "h1"): {"_id": "h1", "city": "Faro", "stars": 4},
        lisbon: {"_id": "h3", "city": "Lisbon"},
    }
    written = await store.save(G, Changes(changed, {(HOTEL_CARDS, "h1"): 1}, {}))
    assert written == {HOTEL_CARDS: 2, CARD_REVISIONS: 2}  # the city lists are writes too: one per city
    _, revisions = await store.load(G, Needs(keys=set(cards) | {lisbon}))
    listed = {d["_id"]: d["hotels"] async for d in store.collection(CARD_REVISIONS, G).find()}
    assert listed == {"Faro": {"h1": 2, "h2": 1}, "Lisbon": {"h3": 1}}
    assert revisions == {(HOTEL_CARDS, "h1"): 2, (HOTEL_CARDS, "h2"): 1, lisbon: 1}


async def test_a_conflicting_card_write_leaves_its_city_listed_ahead_never_behind(
    store: MongoDocumentStore,
) -> None:
    card = (HOTEL_CARDS, "h1")
    await store.save(G, Changes({card: {"_id": "h1", "city": "Faro"}}, {}, {}))
    await store.save(G, Changes({card: {"_id": "h1", "city": "Faro", "stars": 2}}, {card: 1}, {}))
    with pytest.raises(WriteConflictError):  # read at revision 1, stored at 2 meanwhile
        await store.save(G, Changes({card: {"_id": "h1", "city": "Faro", "stars": 3}}, {card: 1}, {}))
    listed = await store.collection(CARD_REVISIONS, G).find_one({"_id": "Faro"})
    _, revisions = await store.load(G, Needs(keys={card}))
    assert listed is not None
    assert listed["hotels"] == {"h1": 2}  # $max: the conflicting batch's 2 changes nothing
    assert revisions[card] == 2
