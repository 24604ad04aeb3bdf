"""Documents and checkpoints of read-model generations in MongoDB (`<base>_<generation>`)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Collection, Iterable
from typing import Any

from pymongo import DeleteOne, InsertOne, ReplaceOne, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from innkeeper_contracts.documents import storage
from innkeeper_contracts.documents.storage import CHECKPOINTS, HOTEL_NIGHTS, collection_name
from projector.ports import Alongside, Changes, Checkpoint, WriteConflictError, Written
from projector.projection import DocKey, Needs
from projector.projection.view import Doc

from .card_revisions import CARD_REVISIONS, REVISION, card_revision_operations

WRITE_ORDER = [
    [storage.HOTEL_NIGHTS, storage.BOOKINGS, storage.MANAGEMENT_ALERTS, CARD_REVISIONS],
    [storage.HOTEL_DETAILS, storage.HOTEL_CARDS],
]
"""Sources before what is derived from them (a card's full nights come from the night documents; its
city's card revisions are raised before it, `card_revisions` says why); the collections of one step
are written concurrently."""


class MongoDocumentStore:
    """A `DocumentStore` over one MongoDB database."""

    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self.database = database

    def collection(self, base: str, generation: str) -> Any:
        return self.database[collection_name(base, generation)]

    async def checkpoints(self, generation: str, aggregate_ids: Iterable[str]) -> dict[str, Checkpoint]:
        ids = list(aggregate_ids)
        if not ids:
            return {}
        cursor = self.collection(CHECKPOINTS, generation).find({"_id": {"$in": ids}})
        return {d["_id"]: Checkpoint(d["version"], d["global_position"]) async for d in cursor}

    async def load(self, generation: str, needs: Needs) -> tuple[dict[DocKey, Doc], dict[DocKey, int]]:
        by_base: dict[str, list[str]] = defaultdict(list)
        for base, doc_id in needs.keys:
            by_base[base].append(doc_id)
        docs: dict[DocKey, Doc] = {}
        revisions: dict[DocKey, int] = {}
        queries = [(base, {"_id": {"$in": ids}}) for base, ids in by_base.items()]
        if needs.hotels_with_all_nights:
            queries.append((HOTEL_NIGHTS, {"hotel_id": {"$in": sorted(needs.hotels_with_all_nights)}}))
        found = await asyncio.gather(
            *(self.collection(base, generation).find(query).to_list() for base, query in queries)
        )
        for (base, _), rows in zip(queries, found, strict=True):
            for doc in rows:
                revisions[(base, doc["_id"])] = doc.pop(REVISION)
                docs[(base, doc["_id"])] = doc
        return docs, revisions

    async def save(self, generation: str, changes: Changes, alongside: Alongside | None = None) -> Written:
        """Documents first (one unordered bulk_write per collection: every key occurs once), then the
        checkpoints and `alongside`, concurrently."""
        operations, expected = _document_operations(changes.documents, changes.revisions)
        if revisions := card_revision_operations(changes):
            operations[CARD_REVISIONS] = revisions
        for step in WRITE_ORDER:
            await _all(
                *(
                    self._write(base, generation, operations[base], _expected(base, expected))
                    for base in step
                    if base in operations
                )
            )
        last: list[Awaitable[object]] = [alongside()] if alongside else []
        if changes.checkpoints:
            checkpoints = _checkpoint_operations(changes.checkpoints, changes.first)
            last.append(self._write(CHECKPOINTS, generation, checkpoints, None))
        await _all(*last)
        written: Written = {base: len(ops) for base, ops in operations.items()}
        if changes.checkpoints:
            written[CHECKPOINTS] = len(changes.checkpoints)
        return written

    async def contents(self, generation: str, base: str) -> dict[str, Doc]:
        found = self.collection(base, generation).find({}, {REVISION: 0})
        return {d["_id"]: d async for d in found}

    async def _write(self, base: str, generation: str, ops: list[Any], expected: int | None) -> None:
        try:
            result = await self.collection(base, generation).bulk_write(ops, ordered=False)
        except BulkWriteError as error:
            if all(e.get("code") == 11000 for e in error.details.get("writeErrors", [])):
                raise WriteConflictError(f"{base}: a document was created by another writer") from error
            raise
        if expected is not None and result.matched_count + result.deleted_count != expected:
            raise WriteConflictError(f"{base}: a document was changed by another writer")


def _expected(base: str, expected: dict[str, int]) -> int | None:
    """How many documents the compare-and-swap writes of `base` must match (upserts: not counted)."""
    return None if base == CARD_REVISIONS else expected[base]


async def _all(*writes: Awaitable[object]) -> None:
    """Run the writes concurrently; once each has finished, raise the first failure."""
    for outcome in await asyncio.gather(*writes, return_exceptions=True):
        if isinstance(outcome, BaseException):
            raise outcome


def _document_operations(
    changes: dict[DocKey, Doc | None], revisions: dict[DocKey, int]
) -> tuple[dict[str, list[Any]], dict[str, int]]:
    """Per collection: inserts, and replaces and deletes that compare-and-swap on `_rev` (counted)."""
    operations: dict[str, list[Any]] = defaultdict(list)
    expected: dict[str, int] = defaultdict(int)
    for (base, doc_id), doc in changes.items():
        revision = revisions.get((base, doc_id))
        if revision is None and doc is None:
            continue  # created and deleted within the batch
        if revision is None:
            operations[base].append(InsertOne({**doc, REVISION: 1}))  # type: ignore[dict-item]
        elif doc is None:
            operations[base].append(DeleteOne({"_id": doc_id, REVISION: revision}))
            expected[base] += 1
        else:
            operations[base].append(
                ReplaceOne({"_id": doc_id, REVISION: revision}, {**doc, REVISION: revision + 1})
            )
            expected[base] += 1
    return operations, expected


def _checkpoint_operations(checkpoints: dict[str, Checkpoint], first: Collection[str]) -> list[Any]:
    # A first checkpoint is inserted (the store's cheapest write; a concurrent insert is a conflict);
    # a later one only ever moves forward.
    return [
        InsertOne({"_id": a, "version": c.version, "global_position": c.global_position})
        if a in first
        else UpdateOne(
            {"_id": a}, {"$max": {"version": c.version, "global_position": c.global_position}}, upsert=True
        )
        for a, c in checkpoints.items()
    ]
