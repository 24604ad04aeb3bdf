"""Read-model generations: the alias readers use, and the state of a rebuild, in ONE document.

`{_id: "active", generation: "g1", rebuild?: {generation, state: "replaying"|"pausing", lease_until}}`
Readers only look at `generation`. Keeping the rebuild state in the same document makes the switch
(and an abort) one atomic update.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from innkeeper_contracts.documents import (
    ACTIVE_GENERATION_ID,
    CARD_REVISIONS,
    GENERATIONS_COLLECTION,
    INDEXES,
    collection_name,
)
from projector.ports import GENERATION_BASES, Generations

FIRST_GENERATION = "g1"
"""The generation an empty store starts with; a rebuild names the next one by its start time."""
ALIAS = {"_id": ACTIVE_GENERATION_ID}


def next_generation() -> str:
    """The name of a new generation: `g` and its start time, so names sort by age."""
    return "g" + datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")


class MongoGenerationRegistry:
    """A `GenerationRegistry` in the alias document of `read_model_generations`."""

    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self.database = database
        self.aliases = database[GENERATIONS_COLLECTION]

    async def ensure_initial(self) -> None:
        if await self.aliases.find_one(ALIAS) is None:
            await self.create_indexes(FIRST_GENERATION)
            with suppress(DuplicateKeyError):  # another replica was first
                await self.aliases.insert_one({**ALIAS, "generation": FIRST_GENERATION})

    async def current(self) -> Generations:
        doc = await self.aliases.find_one(ALIAS) or {}
        rebuild = doc.get("rebuild") or {}
        return Generations(
            active=doc.get("generation", FIRST_GENERATION),
            building=rebuild.get("generation"),
            pausing=rebuild.get("state") == "pausing",
            lease_until=rebuild.get("lease_until"),
        )

    async def create_indexes(self, generation: str) -> None:
        """Built before a generation is filled, so a rebuilt one is indexed before readers switch."""
        for base, indexes in INDEXES.items():
            collection = self.database[collection_name(base, generation)]
            for keys in indexes:
                await collection.create_index(keys)

    async def start_rebuild(self) -> str:
        current = await self.current()
        if current.building:
            await self.drop(current.building)
        generation = next_generation()
        await self.create_indexes(generation)
        state = {"generation": generation, "state": "replaying", "started_at": datetime.now(UTC)}
        await self.aliases.update_one(ALIAS, {"$set": {"rebuild": state}}, upsert=True)
        return generation

    async def request_pause(self, generation: str, lease: float) -> None:
        await self.aliases.update_one(
            {**ALIAS, "rebuild.generation": generation},
            {"$set": {"rebuild.state": "pausing", "rebuild.lease_until": _after(lease)}},
        )

    async def extend_lease(self, generation: str, lease: float) -> bool:
        result = await self.aliases.update_one(
            {**ALIAS, "rebuild.generation": generation, "rebuild.state": "pausing"},
            {"$set": {"rebuild.lease_until": _after(lease)}},
        )
        return result.matched_count == 1

    async def switch(self, generation: str) -> str | None:
        previous = await self.aliases.find_one_and_update(
            {**ALIAS, "rebuild.generation": generation, "rebuild.state": "pausing"},
            {"$set": {"generation": generation}, "$unset": {"rebuild": ""}},
        )
        return str(previous["generation"]) if previous else None

    async def abort_expired(self, generation: str) -> bool:
        result = await self.aliases.update_one(
            {**ALIAS, "rebuild.generation": generation, "rebuild.lease_until": {"$lt": datetime.now(UTC)}},
            {"$unset": {"rebuild": ""}},
        )
        return result.modified_count == 1

    async def abandon(self, generation: str) -> None:
        await self.aliases.update_one(
            {**ALIAS, "rebuild.generation": generation}, {"$unset": {"rebuild": ""}}
        )
        await self.drop(generation)

    async def drop(self, generation: str) -> None:
        for base in (*GENERATION_BASES, CARD_REVISIONS):  # and this store's own bookkeeping
            await self.database.drop_collection(collection_name(base, generation))


def _after(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)
