"""What the planner, the replay and `verify` need of the documents and checkpoints of a generation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Protocol

from projector.projection import DocKey, Needs
from projector.projection.view import Doc

Alongside = Callable[[], Awaitable[object]]
"""A write that goes with the checkpoints (it must not run ahead of the documents either)."""
Written = dict[str, int]
"""What one save wrote: documents per collection (checkpoints under `CHECKPOINTS`), as sent to the store."""


@dataclass(frozen=True)
class Checkpoint:
    """The last event applied to one aggregate."""

    version: int
    global_position: int


@dataclass(frozen=True)
class Changes:
    """What one batch writes: documents (None deletes one), compared by the revisions they were read
    at; then the checkpoints, those of the `first` aggregates created (none when the batch read them)."""

    documents: dict[DocKey, Doc | None]
    revisions: dict[DocKey, int]
    checkpoints: dict[str, Checkpoint]
    first: Collection[str] = ()


class WriteConflictError(Exception):
    """Another writer changed a document since this batch read it; the batch is applied again."""


class DocumentStore(Protocol):
    """Documents and checkpoints of read-model generations."""

    async def checkpoints(self, generation: str, aggregate_ids: Iterable[str]) -> dict[str, Checkpoint]:
        """The checkpoints of these aggregates (absent ones are not yet applied)."""
        ...

    async def load(self, generation: str, needs: Needs) -> tuple[dict[DocKey, Doc], dict[DocKey, int]]:
        """The documents an event batch reads, and the revision of each (for compare-and-swap)."""
        ...

    async def save(self, generation: str, changes: Changes, alongside: Alongside | None = None) -> Written:
        """Write the documents (compare-and-swap; a concurrent creation conflicts), then the checkpoints
        and `alongside`; say how many documents each collection was sent."""
        ...

    async def contents(self, generation: str, base: str) -> dict[str, Doc]:
        """Every document of one collection of the generation, by `_id` (checkpoints as documents)."""
        ...
