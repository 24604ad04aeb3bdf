"""Read-model generations: which one readers use (the alias), which one a rebuild is filling."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from innkeeper_contracts.documents import (
    ACTIVE_GENERATION_ID,
    BOOKINGS,
    CHECKPOINTS,
    GENERATIONS_COLLECTION,
    HOTEL_CARDS,
    HOTEL_DETAILS,
    HOTEL_NIGHTS,
    MANAGEMENT_ALERTS,
    collection_name,
)

REBUILD_ID = "rebuild"
"""`{_id: "rebuild", generation}` while a rebuild fills a new generation; live consumers write it too."""
FIRST_GENERATION = "g1"
BASES = (HOTEL_CARDS, HOTEL_DETAILS, HOTEL_NIGHTS, BOOKINGS, MANAGEMENT_ALERTS, CHECKPOINTS)

INDEXES: dict[str, list[list[tuple[str, int]]]] = {
    HOTEL_CARDS: [
        [("city", ASCENDING), ("price_from_minor", ASCENDING), ("_id", ASCENDING)],
        [("city", ASCENDING), ("stars", ASCENDING), ("_id", ASCENDING)],
    ],
    BOOKINGS: [[("guest.guest_id", ASCENDING), ("check_in", ASCENDING)]],
    MANAGEMENT_ALERTS: [[("raised_at", DESCENDING), ("_id", ASCENDING)]],
    HOTEL_NIGHTS: [[("hotel_id", ASCENDING), ("night", ASCENDING)]],
}


@dataclass(frozen=True)
class Generations:
    """The generation readers use, and the one being rebuilt (if any)."""

    active: str
    building: str | None = None

    @property
    def written(self) -> list[str]:
        return [self.active] if self.building is None else [self.active, self.building]


class GenerationRegistry:
    """The alias documents in `read_model_generations`."""

    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self.database = database
        self.aliases = database[GENERATIONS_COLLECTION]

    async def ensure_initial(self) -> None:
        """On an empty database, create generation g1 (with its indexes) and point readers at it."""
        if await self.aliases.find_one({"_id": ACTIVE_GENERATION_ID}) is None:
            await self.create_indexes(FIRST_GENERATION)
            with suppress(DuplicateKeyError):  # another replica was first
                await self.aliases.insert_one({"_id": ACTIVE_GENERATION_ID, "generation": FIRST_GENERATION})

    async def current(self) -> Generations:
        docs = {
            d["_id"]: d async for d in self.aliases.find({"_id": {"$in": [ACTIVE_GENERATION_ID, REBUILD_ID]}})
        }
        active = docs.get(ACTIVE_GENERATION_ID, {}).get("generation", FIRST_GENERATION)
        building = docs.get(REBUILD_ID, {}).get("generation")
        return Generations(active, building if building != active else None)

    async def create_indexes(self, generation: str) -> None:
        for base, indexes in INDEXES.items():
            collection = self.database[collection_name(base, generation)]
            for keys in indexes:
                await collection.create_index(keys)

    async def start_rebuild(self) -> str:
        """Name a new generation and announce it, so live consumers write it from now on."""
        generation = "g" + datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        await self.create_indexes(generation)
        await self.aliases.replace_one(
            {"_id": REBUILD_ID}, {"generation": generation, "started_at": datetime.now(UTC)}, upsert=True
        )
        return generation

    async def switch(self, generation: str) -> str:
        """Point readers at `generation` with one atomic document update; returns the previous one."""
        previous = await self.aliases.find_one_and_update(
            {"_id": ACTIVE_GENERATION_ID}, {"$set": {"generation": generation}}, upsert=True
        )
        await self.aliases.delete_one({"_id": REBUILD_ID, "generation": generation})
        return str(previous["generation"]) if previous else FIRST_GENERATION

    async def abandon_rebuild(self, generation: str) -> None:
        await self.aliases.delete_one({"_id": REBUILD_ID, "generation": generation})
        await self.drop(generation)

    async def drop(self, generation: str) -> None:
        for base in BASES:
            await self.database.drop_collection(collection_name(base, generation))
