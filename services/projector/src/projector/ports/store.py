"""The read store as a whole: the parts the projector keeps there, over one connection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from projector.ports.documents import DocumentStore
from projector.ports.generations import GenerationRegistry
from projector.ports.shards import Heartbeats, ParkingLot, StatusBoard


class StoreConnection(Protocol):
    """The connection the parts of a read store share."""

    async def ping(self) -> None:
        """Return once the store answered; raise when it cannot be reached."""
        ...

    async def identity(self) -> str:
        """Which server process answers (a restart, or a failover, changes it)."""
        ...

    async def close(self) -> None:
        """Close the connection."""
        ...


@dataclass(frozen=True)
class ReadStore:
    """Everything the projector writes, over one connection (the composition root picks the kind)."""

    documents: DocumentStore
    generations: GenerationRegistry
    parking: ParkingLot
    status: StatusBoard
    """This process's view of the shards' status."""
    heartbeats: Heartbeats
    connection: StoreConnection
