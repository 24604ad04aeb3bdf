"""What the applier needs from storage and from the event log."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Protocol

from innkeeper_contracts import EventEnvelope

from .projection import DocKey, Needs
from .projection.view import Doc


@dataclass(frozen=True)
class Checkpoint:
    """The last event applied to one aggregate."""

    version: int
    global_position: int


class WriteConflictError(Exception):
    """Another writer changed a document since this batch read it; the batch is applied again."""


class GapNotHealedError(Exception):
    """The event log does not (yet) hold the events missing before a delivered one."""


class DocumentStore(Protocol):
    """Documents and checkpoints of read-model generations."""

    async def checkpoints(self, generation: str, aggregate_ids: Iterable[str]) -> dict[str, Checkpoint]:
        """The checkpoints of these aggregates (absent ones are not yet applied)."""
        ...

    async def load(self, generation: str, needs: Needs) -> tuple[dict[DocKey, Doc], dict[DocKey, int]]:
        """The documents an event batch reads, and the revision of each (for compare-and-swap)."""
        ...

    async def save(
        self,
        generation: str,
        changes: dict[DocKey, Doc | None],
        revisions: dict[DocKey, int],
        checkpoints: dict[str, Checkpoint],
        first: Collection[str] = (),
        alongside: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        """Write the documents (compare-and-swap on revision), then the checkpoints; those of the
        `first` aggregates (none when the batch read them) are created, a concurrent creation conflicts.
        `alongside` (a write that must not run ahead of the documents) goes with the checkpoints."""
        ...


class EventLog(Protocol):
    """The PostgreSQL `events` table, read only."""

    async def between(
        self, aggregate_id: str, after_version: int, before_version: int
    ) -> list[EventEnvelope]:
        """Events of an aggregate with after_version < version < before_version, in order."""
        ...
