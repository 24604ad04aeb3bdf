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

    async def close(self) -> None:
        await self.client.close()


def connect(url: str, database_name: str) -> ReadStore:
    """The read store in `database_name` at `url` (the driver connects on first use)."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, tz_aware=True)
    database = client[database_name]
    return ReadStore(
        MongoDocumentStore(database),
        MongoGenerationRegistry(database),
        MongoParkingLot(database),
        MongoStatusBoard(database),
        MongoHeartbeats(database),
        MongoConnection(client, database),
    )
