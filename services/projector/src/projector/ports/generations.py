"""The generation registry: the alias readers follow, and the state of a rebuild beside it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from innkeeper_contracts.documents import storage

GENERATION_BASES = (
    storage.HOTEL_CARDS,
    storage.HOTEL_DETAILS,
    storage.HOTEL_NIGHTS,
    storage.BOOKINGS,
    storage.MANAGEMENT_ALERTS,
    storage.CHECKPOINTS,
)
"""The collections every generation holds (by base name)."""


@dataclass(frozen=True)
class Generations:
    """The generation readers use, and a rebuild in progress (if any)."""

    active: str
    building: str | None = None
    pausing: bool = False
    lease_until: datetime | None = None


class GenerationRegistry(Protocol):
    """Which generation readers use, and the rebuild of the next one, switched in one atomic update."""

    async def ensure_initial(self) -> None:
        """On an empty store, create the first generation (indexed) and point readers at it."""
        ...

    async def current(self) -> Generations:
        """The active generation and the rebuild in progress, as stored now."""
        ...

    async def start_rebuild(self) -> str:
        """Name and index a new generation (dropping an unfinished one) and record the rebuild."""
        ...

    async def request_pause(self, generation: str, lease: float) -> None:
        """Ask every live consumer to stop writing until the switch (or until the lease runs out)."""
        ...

    async def extend_lease(self, generation: str, lease: float) -> bool:
        """Move the pause's lease on; False when the rebuild is no longer pausing."""
        ...

    async def switch(self, generation: str) -> str | None:
        """Point readers at `generation`; the previous one, or None when the rebuild was aborted."""
        ...

    async def abort_expired(self, generation: str) -> bool:
        """Give up waiting for a rebuild whose lease ran out (its process died); whether it did."""
        ...

    async def abandon(self, generation: str) -> None:
        """Forget the rebuild of `generation` and drop what it wrote."""
        ...

    async def drop(self, generation: str) -> None:
        """Drop every collection of a generation."""
        ...
