"""Where each shard is (`projector_status`), and how far behind the event log the projector is."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from innkeeper_contracts.documents import PROJECTOR_STATUS_COLLECTION

from .applier import Plan
from .event_log import PostgresEventLog
from .parking import CHANGES

CONSUMER = f"{socket.gethostname()}:{os.getpid()}"


class StatusBoard:
    """One document per shard.

    `{_id: "shard-<n>", position, applied_at, last_event_at, events_applied, batches, duplicates,
    deliveries, consumer, parking_changes}`: `position` is the highest global position applied by the
    shard; `batches` tells a consumer whether anyone else wrote the shard since its own last batch;
    `parking_changes` whether the parking lot changed (see `ParkingLot.blocked`).
    """

    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self.collection = database[PROJECTOR_STATUS_COLLECTION]
        self.batches: dict[str, int] = {}
        """Per shard: the `batches` count our own last record left."""

    async def only_mine_since(self, shard: str) -> tuple[bool, int | None]:
        """Whether no other consumer recorded a batch of the shard since this process last did, and
        the parking lot's change count (None before the shard's first batch)."""
        doc = await self.collection.find_one({"_id": shard}, {"batches": 1, CHANGES: 1})
        if doc is None:
            return False, None
        return doc.get("batches") == self.batches.get(shard), int(doc.get(CHANGES, 0))

    async def record(self, shard: str, plan: Plan, delivered: int) -> bool:
        """Count the batch; returns `only_mine_since` as of just before it."""
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


class ShardStatus(BaseModel):
    """Where one shard is: the highest global position it applied, and when."""

    shard: str
    position: int = 0
    applied_at: datetime | None = None
    last_event_at: datetime | None = None
    events_applied: int = 0
    batches: int = 0
    duplicates: int = 0
    deliveries: int = 0
    consumer: str | None = None


class Lag(BaseModel):
    """How far the read model is behind the event log, in events and in seconds."""

    log_head: int
    applied_position: int
    lag_events: int
    lag_seconds: float
    shards: list[ShardStatus]


async def lag_report(board: StatusBoard, log: PostgresEventLog) -> Lag:
    """Position per shard and the lag: events and seconds between the log head and what is applied."""
    shards = [ShardStatus(shard=s.pop("_id"), **s) for s in await board.shards()]
    head, head_at = await log.latest()  # a lag figure need not wait for the appends in flight
    applied = max((s.position for s in shards), default=0)
    lag_events = max(head - applied, 0)
    lag_seconds = 0.0
    if lag_events and head_at is not None:
        applied_at = await log.occurred_at(applied) if applied else None
        behind = head_at - applied_at if applied_at else datetime.now(UTC) - head_at
        lag_seconds = max(behind.total_seconds(), 0.0)
    return Lag(
        log_head=head, applied_position=applied, lag_events=lag_events, lag_seconds=lag_seconds, shards=shards
    )
