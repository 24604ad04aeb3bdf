"""The parking lot (`parked_events`): events that failed, events waiting behind them, bad messages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from innkeeper_contracts import EventEnvelope
from innkeeper_contracts.documents import PROJECTOR_STATUS_COLLECTION
from projector.ports import Entry, Kind

from .parked_entries import expired, malformed_message, parked_event

PARKED_EVENTS = "parked_events"
CHANGES = "parking_changes"
"""Field of every shard status document: bumped after each change of the lot that can block or free an
aggregate, so a consumer reads the lot again only when it moved (it reads its status every batch)."""
Entries = list[Entry]


class MongoParkingLot:
    """A `ParkingLot` in `parked_events`, one entry per event (or malformed message)."""

    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = database[PARKED_EVENTS]
        self.shards = database[PROJECTOR_STATUS_COLLECTION]
        self.seen: dict[str, tuple[int, Entries]] = {}
        """Per shard: the parked and retried entries of the lot, read when its change count was this."""

    async def create_indexes(self) -> None:
        await self.collection.create_index([("aggregate_id", ASCENDING), ("aggregate_version", ASCENDING)])
        await self.collection.create_index([("status", ASCENDING), ("parked_at", ASCENDING)])

    async def blocked(
        self, aggregate_ids: Iterable[str], shard: str | None = None, changes: int | None = None
    ) -> tuple[set[str], dict[str, tuple[str, int]]]:
        """With the lot's change count as the shard's status showed it, the lot is read only when the
        count moved since this shard last read it (usually the lot is empty and never changes)."""
        ids = set(aggregate_ids)
        entries = await self._entries_as_of(shard, changes) if shard and changes is not None else None
        if entries is None:
            entries = await self._waiting({"aggregate_id": {"$in": list(ids)}})
        blocked: set[str] = set()
        retrying: dict[str, tuple[str, int]] = {}
        for doc in (d for d in entries if d["aggregate_id"] in ids):
            if doc["status"] == "parked":
                blocked.add(doc["aggregate_id"])
            else:
                retrying[doc["_id"]] = (doc["aggregate_id"], doc["aggregate_version"])
        return blocked, retrying

    async def _entries_as_of(self, shard: str, changes: int) -> Entries:
        seen = self.seen.get(shard)
        if seen is None or seen[0] != changes:
            seen = self.seen[shard] = (changes, await self._waiting({"aggregate_id": {"$exists": True}}))
        return seen[1]

    async def _waiting(self, query: dict[str, Any]) -> Entries:
        query = {**query, "status": {"$in": ["parked", "retry"]}}
        fields = {"aggregate_id": 1, "aggregate_version": 1, "status": 1}
        return await self.collection.find(query, fields).to_list()

    async def _changed(self) -> None:
        """After a change that can block or free an aggregate: every shard reads the lot again."""
        await self.shards.update_many({}, {"$inc": {CHANGES: 1}})

    async def park(
        self,
        entries: list[tuple[EventEnvelope, Kind, str]],
        shard: str,
        attempts: int = 0,
        traceparents: Mapping[str, str] | None = None,
    ) -> None:
        if entries:
            now = datetime.now(UTC)  # one time: the lot lists one call's entries by global position
            headers = traceparents or {}
            ops = [
                parked_event(*entry, shard, attempts, now, headers.get(str(entry[0].event_id)))
                for entry in entries
            ]
            await self.collection.bulk_write(ops, ordered=True)
            await self._changed()

    async def park_malformed(self, body: bytes, reason: str, shard: str, message_id: str | None) -> None:
        entry_id, entry = malformed_message(body, reason, shard, message_id)
        await self.collection.update_one({"_id": entry_id}, {"$setOnInsert": entry}, upsert=True)

    async def resolved(self, event_ids: Iterable[str]) -> None:
        ids = list(event_ids)
        if ids:
            await self.collection.delete_many({"_id": {"$in": ids}, "status": "retry"})
            await self._changed()

    async def entries(self, ids: list[str] | None = None, status: str | None = "parked") -> Entries:
        query: dict[str, Any] = {}
        if ids:
            query["_id"] = {"$in": ids}
        if status:
            query["status"] = status
        return (
            await self.collection.find(query)
            .sort([("parked_at", ASCENDING), ("global_position", ASCENDING)])
            .to_list()
        )

    async def mark(self, ids: list[str], status: str) -> None:
        await self.collection.update_many({"_id": {"$in": ids}}, {"$set": {"status": status}})
        await self._changed()  # after the change: a consumer reading the count first reads the lot after

    async def skipped_ids(self) -> list[str]:
        query = {"status": "skipped", "kind": {"$ne": "malformed"}}
        return [d["_id"] async for d in self.collection.find(query, {"_id": 1})]

    async def count(self) -> int:
        return await self.collection.count_documents({"status": "parked"})

    async def expire(self, parked_before: datetime, note: str) -> tuple[int, int]:
        old = {"parked_at": {"$lt": parked_before}}
        deleted = await self.collection.delete_many({**old, "kind": "malformed"})
        query = {**old, "kind": {"$ne": "malformed"}, "expired_at": {"$exists": False}}
        entries = await self.collection.find(query, {"reason": 1}).to_list()
        if not entries:
            return 0, deleted.deleted_count
        now = datetime.now(UTC)
        result = await self.collection.bulk_write([expired(e, note, now) for e in entries], ordered=False)
        return result.modified_count, deleted.deleted_count
