"""Watching the pages that carry their own aggregate's version, beside (not instead of) the checkpoint."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection
from typing import Any, Protocol
from uuid import UUID

from .read_model import OwnDocument
from .watcher import CheckpointsReader


class DocumentsReader(CheckpointsReader, Protocol):
    """The checkpoints, and the pages that carry their own aggregate's version."""

    async def booking(self, booking_id: UUID) -> dict[str, Any] | None:
        """The booking page: its `version` counts every event of the booking."""

    async def hotel_detail(self, hotel_id: UUID) -> dict[str, Any] | None:
        """The hotel page: its `version` counts every event of the hotel."""

    async def page_versions(self, page: OwnDocument, aggregate_ids: Collection[UUID]) -> dict[UUID, int]:
        """The `version` of each of these aggregates' pages that exists, in one read."""


ReadVersions = Callable[[Collection[UUID]], Awaitable[dict[UUID, int]]]
"""Reads the `version` of the documents of several aggregates at once (absent: no document yet)."""


class DocumentVersions:
    """A `CheckpointsReader` that also counts the documents carrying their aggregate's version (the
    booking page, the hotel page) as applied that far: per tick, the waiting aggregates' checkpoints and
    their documents' versions, one read each, whatever the number of waiting requests. The checkpoint
    still answers what the document cannot: a version passed by position ("unreachable"), and any read
    before its document exists."""

    def __init__(self, checkpoints: CheckpointsReader, read_versions: ReadVersions) -> None:
        self._checkpoints, self._read_versions = checkpoints, read_versions

    async def checkpoints(self, aggregate_ids: Collection[UUID]) -> dict[UUID, tuple[int, int]]:
        ids = list(aggregate_ids)
        known, versions = await asyncio.gather(self._checkpoints.checkpoints(ids), self._read_versions(ids))
        applied = dict(known)  # the reader may keep what it answered
        for aggregate, version in versions.items():
            known_version, position = applied.get(aggregate, (0, 0))
            applied[aggregate] = (max(known_version, version), position)
        return applied
