"""The read store on MongoDB: every pymongo import of the projector is in this package."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from projector.ports import ReadStore
from projector.store.mongo.documents import MongoDocumentStore
from projector.store.mongo.errors import MONGO_FAILURES
from projector.store.mongo.generations import MongoGenerationRegistry
from projector.store.mongo.parking import MongoParkingLot
from projector.store.mongo.status import MongoHeartbeats, MongoStatusBoard

__all__ = ["MONGO_FAILURES", "MongoConnection", "connect"]


@dataclass(frozen=True)
class MongoConnection:
    """A `StoreConnection`: one client, and the database the projector writes."""

    client: AsyncMongoClient[dict[str, Any]]
    database: AsyncDatabase[dict[str, Any]]

    async def ping(self) -> None:
        await self.client.admin.command("ping")

    async def identity(self) -> str:
        """`hello`'s `topologyVersion.processId`: fixed for the life of a server process, new after a
        restart (MongoDB 4.4+ and the stand-in alike); the address when a server does not say."""
        hello = await self.client.admin.command("hello")
        process = (hello.get("topologyVersion") or {}).get("processId")
        return str(process) if process is not None else str(hello.get("me", ""))

    async def close(self) -> None:
        await self.client.close()


def connect(url: str, database_name: str) -> ReadStore:
    """The read store in `database_name` at `url` (the driver connects on first use).

    Every write is journaled (`j: true`): each precedes an ack (documents with their checkpoints, parked
    events, card revisions, generations), and the broker forgets what is acked, so a write a store crash
    loses is never redelivered (issue 20: a kill -9 of the store lost the last booking and its
    checkpoint). Set on the client, so no collection can miss it; a `w=majority` in the URL (a replica
    set) is kept and journaled too. Not a setting: turning it off only reopens that window."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, tz_aware=True, journal=True)
    database = client[database_name]
    return ReadStore(
        MongoDocumentStore(database),
        MongoGenerationRegistry(database),
        MongoParkingLot(database),
        MongoStatusBoard(database),
        MongoHeartbeats(database),
        MongoConnection(client, database),
    )
