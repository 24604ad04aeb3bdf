"""The read store as a whole: the parts the projector keeps there, and their one connection."""

from __future__ import annotations

from typing import Protocol

from .documents import DocumentStore
from .generations import GenerationRegistry
from .shards import Heartbeats, ParkingLot, StatusBoard


class ReadStore(Protocol):
    """Everything the projector writes, over one connection (the composition root picks it)."""

    @property
    def documents(self) -> DocumentStore:
        """Documents and checkpoints of the generations."""
        ...

    @property
    def generations(self) -> GenerationRegistry:
        """The alias readers follow and the rebuild state."""
        ...

    @property
    def parking(self) -> ParkingLot:
        """The parking lot."""
        ...

    @property
    def status(self) -> StatusBoard:
        """This process's view of the shards' status."""
        ...

    @property
    def heartbeats(self) -> Heartbeats:
        """The live processes' heartbeats."""
        ...

    async def prepare(self) -> None:
        """Create what a first start needs: the first generation and the indexes (idempotent)."""
        ...

    async def reachable(self, seconds: float) -> bool:
        """Whether the store answers within `seconds`."""
        ...

    async def close(self) -> None:
        """Close the connection."""
        ...
