"""Documents, checkpoints and heartbeats in memory: for `verify` (a fresh rebuild to compare with) and
tests."""

from __future__ import annotations

import time
from collections.abc import Iterable

from innkeeper_contracts.documents import CHECKPOINTS, HOTEL_NIGHTS
from projector.ports import Alongside, Changes, Checkpoint, WriteConflictError, Written
from projector.projection import DocKey, Needs
from projector.projection.view import Doc


class MemoryStore:
    """A `DocumentStore` in dictionaries, with the same compare-and-swap rules as MongoDB."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[DocKey, Doc]] = {}
        self.revisions: dict[str, dict[DocKey, int]] = {}
        self.checkpoint_docs: dict[str, dict[str, Checkpoint]] = {}

    async def checkpoints(self, generation: str, aggregate_ids: Iterable[str]) -> dict[str, Checkpoint]:
        stored = self.checkpoint_docs.get(generation, {})
        return {a: stored[a] for a in aggregate_ids if a in stored}

    async def load(self, generation: str, needs: Needs) -> tuple[dict[DocKey, Doc], dict[DocKey, int]]:
        docs = self.docs.get(generation, {})
        revisions = self.revisions.get(generation, {})
        keys = {k for k in needs.keys if k in docs}
        keys |= {
            k
            for k, d in docs.items()
            if k[0] == HOTEL_NIGHTS and d["hotel_id"] in needs.hotels_with_all_nights
        }
        return {k: docs[k] for k in keys}, {k: revisions[k] for k in keys}

    async def save(self, generation: str, changes: Changes, alongside: Alongside | None = None) -> Written:
        docs = self.docs.setdefault(generation, {})
        stored_revisions = self.revisions.setdefault(generation, {})
        revisions = changes.revisions
        for key in changes.documents:
            if stored_revisions.get(key) != revisions.get(key):
                raise WriteConflictError(f"{key} changed since it was read")
        stored = self.checkpoint_docs.setdefault(generation, {})
        if created := [aggregate for aggregate in changes.first if aggregate in stored]:
            raise WriteConflictError(f"checkpoints {created} were created by another writer")
        written: Written = {}
        for key, doc in changes.documents.items():
            if doc is not None or key in revisions:  # created and deleted within the batch: never written
                written[key[0]] = written.get(key[0], 0) + 1
            if doc is None:
                docs.pop(key, None)
                stored_revisions.pop(key, None)
            else:
                docs[key] = doc
                stored_revisions[key] = revisions.get(key, 0) + 1
        for aggregate, checkpoint in changes.checkpoints.items():
            previous = stored.get(aggregate)
            if previous is None or previous.version < checkpoint.version:
                stored[aggregate] = checkpoint
        if changes.checkpoints:
            written[CHECKPOINTS] = len(changes.checkpoints)
        if alongside is not None:
            await alongside()
        return written

    async def contents(self, generation: str, base: str) -> dict[str, Doc]:
        if base == CHECKPOINTS:
            stored = self.checkpoint_docs.get(generation, {})
            return {
                a: {"_id": a, "version": c.version, "global_position": c.global_position}
                for a, c in stored.items()
            }
        return {doc_id: doc for (b, doc_id), doc in self.docs.get(generation, {}).items() if b == base}


class MemoryHeartbeats:
    """`Heartbeats` in a dictionary: process name -> (monotonic time of its beat, paused_for)."""

    def __init__(self, name: str = "this") -> None:
        self.name = name
        self.beats: dict[str, tuple[float, str | None]] = {}

    async def beat(self, paused_for: str | None) -> None:
        self.beats[self.name] = (time.monotonic(), paused_for)

    async def paused_for(self, recent_seconds: float) -> list[str | None]:
        since = time.monotonic() - recent_seconds
        return [paused for at, paused in self.beats.values() if at > since]

    async def live(self, recent_seconds: float) -> int:
        return len(await self.paused_for(recent_seconds))
