"""What one shard consumer last read and wrote, kept so the next batch need not read it again.

Only the shard's active consumer writes the shard's documents (every document and checkpoint
belongs to the shard of its hotel, and `x-single-active-consumer` hands a shard to one consumer at a
time), so what it wrote is what is stored. The cache is dropped whenever that may not hold: another
consumer claimed the shard since our last batch, the active generation changed, or a batch failed
(a failed save may have written part of its documents). Writes still compare-and-swap on `_rev`, so
even a stale entry ends in a write conflict and a fresh read, never in a lost update.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import Generic, TypeVar

from .ports import Alongside, Changes, Checkpoint, DocumentStore, Written
from .projection import DocKey, Needs
from .projection.view import Doc

K = TypeVar("K")
V = TypeVar("V")
ABSENT = Checkpoint(0, 0)
"""The checkpoint of an aggregate no event of which is applied yet."""


class Lru(Generic[K, V]):
    """A dict that forgets its least recently used entries beyond `limit`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        found = self.entries.get(key)
        if found is not None:
            self.entries.move_to_end(key)
        return found

    def put(self, key: K, value: V) -> None:
        self.entries[key] = value
        self.entries.move_to_end(key)
        while len(self.entries) > self.limit:
            self.entries.popitem(last=False)


class CachedStore:
    """A `DocumentStore` for one shard that reads through a cache of its own writes and reads."""

    def __init__(self, store: DocumentStore, limit: int = 50_000) -> None:
        self.store, self.limit = store, limit
        self.generation: str | None = None
        self.clear()

    def clear(self) -> None:
        # Per key: (document, revision), (None, None) when known to be absent.
        self.docs: Lru[DocKey, tuple[Doc | None, int | None]] = Lru(self.limit)
        self.known_checkpoints: Lru[str, Checkpoint] = Lru(self.limit)

    def use(self, generation: str) -> None:
        """Batches now go to `generation` (a switch after a rebuild empties the cache)."""
        if generation != self.generation:
            self.clear()
            self.generation = generation

    async def checkpoints(self, generation: str, aggregate_ids: Iterable[str]) -> dict[str, Checkpoint]:
        self.use(generation)
        found: dict[str, Checkpoint] = {}
        unknown = []
        for aggregate in aggregate_ids:
            checkpoint = self.known_checkpoints.get(aggregate)
            if checkpoint is None:
                unknown.append(aggregate)
            elif checkpoint is not ABSENT:
                found[aggregate] = checkpoint
        if unknown:
            loaded = await self.store.checkpoints(generation, unknown)
            for aggregate in unknown:
                self.known_checkpoints.put(aggregate, loaded.get(aggregate, ABSENT))
            found |= loaded
        return found

    async def load(self, generation: str, needs: Needs) -> tuple[dict[DocKey, Doc], dict[DocKey, int]]:
        self.use(generation)
        docs: dict[DocKey, Doc] = {}
        revisions: dict[DocKey, int] = {}
        unknown = Needs(hotels_with_all_nights=set(needs.hotels_with_all_nights))
        for key in needs.keys:
            cached = self.docs.get(key)
            if cached is None:
                unknown.keys.add(key)
            elif cached[0] is not None and cached[1] is not None:
                docs[key], revisions[key] = cached[0], cached[1]
        if unknown.keys or unknown.hotels_with_all_nights:
            loaded, loaded_revisions = await self.store.load(generation, unknown)
            for key in unknown.keys:
                self.docs.put(key, (loaded.get(key), loaded_revisions.get(key)))
            for key, doc in loaded.items():
                self.docs.put(key, (doc, loaded_revisions[key]))
            docs |= loaded
            revisions |= loaded_revisions
        return docs, revisions

    async def save(self, generation: str, changes: Changes, alongside: Alongside | None = None) -> Written:
        self.use(generation)
        try:
            written = await self.store.save(generation, changes, alongside)
        except BaseException:
            self.clear()  # part of the batch may be written: read everything afresh
            raise
        for key, doc in changes.documents.items():
            self.docs.put(key, (doc, None if doc is None else changes.revisions.get(key, 0) + 1))
        for aggregate, checkpoint in changes.checkpoints.items():
            self.known_checkpoints.put(aggregate, checkpoint)
        return written

    async def contents(self, generation: str, base: str) -> dict[str, Doc]:
        return await self.store.contents(generation, base)
