"""Access to the read documents of the active generation, plus the projector's progress markers."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from typing import Any
from uuid import UUID

import structlog
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from innkeeper_contracts.documents import (
    ACTIVE_GENERATION_ID,
    CHECKPOINTS,
    GENERATIONS_COLLECTION,
    PROJECTOR_STATUS_COLLECTION,
    collection_name,
)

from .caches import TtlCache
from .cursor import Position
from .filters import Order, with_position
from .indexes import REQUIRED_INDEXES

Document = dict[str, Any]
Sort = list[tuple[str, int]]
log = structlog.get_logger()


class ReadModel:
    """Reads documents from `<base>_<generation>` of the generation the alias document names."""

    def __init__(
        self, database: AsyncDatabase[Document], cache_seconds: float, ensure_indexes: bool = True
    ) -> None:
        self._db = database
        self._generation = TtlCache(cache_seconds, self._load_generation)
        self._ensure_indexes = ensure_indexes
        self._indexed: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._collections: dict[str, AsyncCollection[Document]] = {}

    async def generation(self) -> str | None:
        """The active generation, or None while no read model has been built yet."""
        return await self._generation.get()

    async def find_one(self, base: str, id_: str) -> Document | None:
        generation = await self.generation()
        if generation is None:
            return None
        return await self._collection(base, generation).find_one({"_id": id_})

    async def find(self, base: str, query: Document, sort: Sort, limit: int = 0) -> list[Document]:
        """Documents matching `query` in `sort` order (all of them when `limit` is 0)."""
        generation = await self.generation()
        if generation is None:
            return []
        cursor = self._collection(base, generation).find(query).sort(sort).limit(limit)
        return await cursor.to_list()

    async def find_page(
        self, base: str, query: Document, order: Order, after: Position | None, limit: int
    ) -> tuple[list[Document], bool]:
        """Up to `limit` documents after `after`, and whether more follow."""
        rows = await self.find(base, with_position(query, order, after), order.sort(), limit + 1)
        return rows[:limit], len(rows) > limit

    async def checkpoints(self, aggregate_ids: Collection[UUID]) -> dict[UUID, tuple[int, int]]:
        """Version and global position of the last event of each aggregate the projector applied
        (absent: none yet)."""
        generation = await self.generation()
        if generation is None:
            return {}
        query = {"_id": {"$in": [str(aggregate_id) for aggregate_id in aggregate_ids]}}
        rows = self._collection(CHECKPOINTS, generation).find(query, {"version": 1, "global_position": 1})
        return {UUID(row["_id"]): (int(row["version"]), int(row["global_position"])) async for row in rows}

    def _collection(self, base: str, generation: str) -> AsyncCollection[Document]:
        # Kept per name: building a collection object per request was ~3 % of a hotel read's CPU.
        name = collection_name(base, generation)
        found = self._collections.get(name)
        if found is None:
            found = self._collections[name] = self._db[name]
        return found

    async def close(self) -> None:
        """Stop background index builds (before the client closes)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def ping(self) -> None:
        await self._db.command("ping")

    async def _load_generation(self) -> str | None:
        alias = await self._db[GENERATIONS_COLLECTION].find_one({"_id": ACTIVE_GENERATION_ID})
        generation = str(alias["generation"]) if alias and alias.get("generation") else None
        if generation is not None and self._ensure_indexes and generation not in self._indexed:
            # In the background: a first build on a big rebuilt collection must not hold up reads.
            self._indexed.add(generation)
            task = asyncio.create_task(self._create_indexes(generation))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return generation

    async def _create_indexes(self, generation: str) -> None:
        # Idempotent: MongoDB keeps an existing index with the same keys and options.
        try:
            for base, indexes in REQUIRED_INDEXES.items():
                collection = self._db[collection_name(base, generation)]
                for keys in indexes:
                    await collection.create_index(keys)
        except PyMongoError as error:
            log.warning("could not ensure indexes", generation=generation, error=repr(error))
        else:
            log.info("indexes ensured", generation=generation)


class ProjectorProgress:
    """The highest global position any projector shard has applied, cached briefly."""

    def __init__(self, database: AsyncDatabase[Document], cache_seconds: float) -> None:
        self._db = database
        self._position = TtlCache(cache_seconds, self._load)

    async def position(self) -> int:
        return await self._position.get()

    async def _load(self) -> int:
        shards = self._db[PROJECTOR_STATUS_COLLECTION].find({}, {"position": 1})
        positions = [int(shard.get("position") or 0) async for shard in shards]
        return max(positions, default=0)
