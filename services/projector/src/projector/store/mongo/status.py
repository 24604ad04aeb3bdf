"""Where each shard is (`projector_status`), and the heartbeat of each process (`projector_processes`)."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from innkeeper_contracts.documents import PROJECTOR_STATUS_COLLECTION

from .parking import CHANGES

if TYPE_CHECKING:
    from projector.planner import Plan

CONSUMER = f"{socket.gethostname()}:{os.getpid()}"
"""This process, as its shards' status and its heartbeat name it."""
PROCESSES = "projector_processes"
"""`{_id: "<host>:<pid>", heartbeat_at, paused_for}`, one per live projector process."""


class MongoStatusBoard:
    """A `StatusBoard`: one document per shard.

    `{_id: "shard-<n>", position, applied_at, last_event_at, events_applied, batches, duplicates,
    deliveries, consumer, parking_changes}`: `position` is the highest global position applied by the
    shard; `batches` tells a consumer whether anyone else wrote the shard since its own last batch;
    `parking_changes` whether the parking lot changed (see `MongoParkingLot.blocked`).
    """

    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = database[PROJECTOR_STATUS_COLLECTION]
        self.batches: dict[str, int] = {}
        """Per shard: the `batches` count our own last record left."""

    async def only_mine_since(self, shard: str) -> tuple[bool, int | None]:
        """The parking lot's change count is None before the shard's first batch."""
        doc = await self.collection.find_one({"_id": shard}, {"batches": 1, CHANGES: 1})
        if doc is None:
            return False, None
        return doc.get("batches") == self.batches.get(shard), int(doc.get(CHANGES, 0))

    async def record(self, shard: str, plan: Plan, delivered: int) -> bool:
        now = datetime.now(UTC)
        update: dict[str, Any] = {
            "$set": {"applied_at": now, "consumer": CONSUMER},
            "$inc": {
                "events_applied": len(plan.applied),
                "duplicates": plan.duplicates,
                "deliveries": delivered,
                "batches": 1,
            },
        }
        if plan.applied:
            last = max(plan.applied, key=lambda e: e.global_position)
            update["$max"] = {"position": last.global_position, "last_event_at": last.occurred_at}
        after = await self.collection.find_one_and_update(
            {"_id": shard}, update, {"batches": 1}, upsert=True, return_document=ReturnDocument.AFTER
        )
        count = int(after["batches"]) if after else 0  # an upsert returning the new document: never None
        previous, self.batches[shard] = self.batches.get(shard), count
        return previous is not None and count == previous + 1

    async def shards(self) -> list[dict[str, Any]]:
        return await self.collection.find({}).sort("_id").to_list()

    async def lost_since_recorded(self) -> list[str]:
        """Shards whose stored `batches` count is below (or whose document lacks) the count our own
        last record left: the store lost writes it had acknowledged (it only ever counts up)."""
        mine = dict(self.batches)  # before the read: a record finishing meanwhile only counts up
        stored = await self.collection.find({"_id": {"$in": list(mine)}}, {"batches": 1}).to_list()
        counts = {doc["_id"]: int(doc.get("batches", 0)) for doc in stored}
        return [shard for shard, count in mine.items() if counts.get(shard, 0) < count]

    def forget(self) -> None:
        """Take nothing recorded as known: the next batch of each shard reads the store afresh."""
        self.batches.clear()


class MongoHeartbeats:
    """`Heartbeats` in `projector_processes`, one document per process."""

    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self.processes = database[PROCESSES]

    async def beat(self, paused_for: str | None) -> None:
        await self.processes.update_one(
            {"_id": CONSUMER},
            {"$set": {"heartbeat_at": datetime.now(UTC), "paused_for": paused_for}},
            upsert=True,
        )

    async def paused_for(self, recent_seconds: float) -> list[str | None]:
        recent = datetime.now(UTC) - timedelta(seconds=recent_seconds)
        live = await self.processes.find({"heartbeat_at": {"$gt": recent}}).to_list()
        return [p.get("paused_for") for p in live]

    async def live(self, recent_seconds: float) -> int:
        recent = datetime.now(UTC) - timedelta(seconds=recent_seconds)
        return await self.processes.count_documents({"heartbeat_at": {"$gt": recent}})
