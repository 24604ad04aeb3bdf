"""Watching the pages that carry their own aggregate's version, beside (not instead of) the checkpoint."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection
from typing import Any, Protocol
from uuid import UUID

from .watcher import CheckpointsReader


class DocumentsReader(CheckpointsReader, Protocol):
    """The checkpoints, and the documents that carry their own aggregate's version."""

    async def booking(self, booking_id: UUID) -> dict[str, Any] | None:
        """The booking page: its `version` counts every event of the booking."""

    async def hotel_detail(self, hotel_id: UUID) -> dict[str, Any] | None:
        """The hotel page: its `version` counts every event of the hotel."""


ReadOne = Callable[[UUID], Awaitable[dict[str, Any] | None]]
"""Reads the document of one aggregate by its id (None while there is none)."""


class DocumentVersions:
    """A `CheckpointsReader` that also counts the documents carrying their aggregate's version (the
    booking page, the hotel page) as applied that far: per tick, the waiting aggregates' checkpoints and
    one read by id of each one's document. The checkpoint still answers what the document cannot: a
    version passed by position ("unreachable"), and any read before its document exists."""

    def __init__(self, checkpoints: CheckpointsReader, read_one: ReadOne) -> None:
        self._checkpoints, self._read_one = checkpoints, read_one

    async def checkpoints(self, aggregate_ids: Collection[UUID]) -> dict[UUID, tuple[int, int]]:
        ids = list(aggregate_ids)
        found = asyncio.gather(*(self._read_one(aggregate) for aggregate in ids))
        known, documents = await asyncio.gather(self._checkpoints.checkpoints(ids), found)
        applied = dict(known)  # the reader may keep what it answered
        for aggregate, document in zip(ids, documents, strict=True):
            if document is not None:
                version, position = applied.get(aggregate, (0, 0))
                applied[aggregate] = (max(version, document["version"]), position)
        return applied
