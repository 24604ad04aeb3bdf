"""The read store on MongoDB: every pymongo import of the projector is in this package."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from .documents import MongoDocumentStore
from .errors import MONGO_FAILURES
from .generations import MongoGenerationRegistry
from .parking import MongoParkingLot
from .status import MongoHeartbeats, MongoStatusBoard

__all__ = ["MONGO_FAILURES", "MongoReadStore"]


@dataclass
class MongoReadStore:
    """A `ReadStore` over one database of one client."""

    client: AsyncMongoClient[dict[str, Any]]
    database: AsyncDatabase[dict[str, Any]]
    documents: MongoDocumentStore = field(init=False)
    generations: MongoGenerationRegistry = field(init=False)
    parking: MongoParkingLot = field(init=False)
    status: MongoStatusBoard = field(init=False)
    heartbeats: MongoHeartbeats = field(init=False)

    def __post_init__(self) -> None:
        self.documents = MongoDocumentStore(self.database)
        self.generations = MongoGenerationRegistry(self.database)
        self.parking = MongoParkingLot(self.database)
        self.status = MongoStatusBoard(self.database)
        self.heartbeats = MongoHeartbeats(self.database)

    @classmethod
    def connect(cls, url: str, database: str) -> MongoReadStore:
        """A store over `database` at `url` (the driver connects on first use)."""
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, tz_aware=True)
        return cls(client, client[database])

    async def prepare(self) -> None:
        await self.generations.ensure_initial()
        await self.parking.create_indexes()

    async def reachable(self, seconds: float) -> bool:
        try:  # bounded: the driver would otherwise wait for server selection (30 s by default)
            await asyncio.wait_for(self.client.admin.command("ping"), seconds)
        except Exception:
            return False
        return True

    async def close(self) -> None:
        await self.client.close()
