"""What the shard consumers keep beside the documents: the parking lot, each shard's status, and the
heartbeat of each live process."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from innkeeper_contracts import EventEnvelope

if TYPE_CHECKING:
    from projector.planner import Plan

Kind = Literal["failed", "behind", "malformed"]
"""Why an entry is in the parking lot: its event failed, waits behind one that did, or is no event."""
Entry = dict[str, Any]
"""`{_id: event id, kind, status: parked|retry|skipped, reason, aggregate_id, envelope, ...}`."""


class ParkingLot(Protocol):
    """Events that failed, events waiting behind them, and messages that are not events."""

    async def create_indexes(self) -> None:
        """Index the lot by aggregate and by status (idempotent)."""
        ...

    async def blocked(
        self, aggregate_ids: Iterable[str], shard: str | None = None, changes: int | None = None
    ) -> tuple[set[str], dict[str, tuple[str, int]]]:
        """(aggregates with a parked event, {event id: (aggregate, version)} an operator asked to retry)."""
        ...

    async def park(
        self,
        entries: list[tuple[EventEnvelope, Kind, str]],
        shard: str,
        attempts: int = 0,
        traceparents: Mapping[str, str] | None = None,
    ) -> None:
        """Park (event, kind, reason) entries of a shard, after `attempts` tries; with each its message's
        `traceparent` header from `traceparents` (by event id; tracing on), which a retry sends again."""
        ...

    async def park_malformed(self, body: bytes, reason: str, shard: str, message_id: str | None) -> None:
        """Keep a message that is not an event envelope with its body; it is never applied."""
        ...

    async def resolved(self, event_ids: Iterable[str]) -> None:
        """Events that were retried and are now applied (or known duplicates) leave the lot."""
        ...

    async def entries(self, ids: list[str] | None = None, status: str | None = "parked") -> list[Entry]:
        """The entries (these ids, this status; None for any), oldest first."""
        ...

    async def mark(self, ids: list[str], status: str) -> None:
        """Set the status of entries (`retry`, `skipped`)."""
        ...

    async def skipped_ids(self) -> list[str]:
        """The ids of the events an operator gave up on."""
        ...

    async def count(self) -> int:
        """How many entries are parked now."""
        ...

    async def expire(self, parked_before: datetime, note: str) -> tuple[int, int]:
        """Retention: entries parked before `parked_before` lose what may hold personal data — an event's
        data and the details of its reason (replaced by `note`), a malformed message entirely. Returns
        (events emptied, messages deleted)."""
        ...


class StatusBoard(Protocol):
    """Where each shard is, and whether another consumer wrote it since this process did."""

    async def only_mine_since(self, shard: str) -> tuple[bool, int | None]:
        """Whether no other consumer recorded a batch since ours, and the lot's change count."""
        ...

    async def record(self, shard: str, plan: Plan, delivered: int) -> bool:
        """Count the batch; returns `only_mine_since` as of just before it."""
        ...

    async def shards(self) -> list[dict[str, Any]]:
        """The status document of every shard, by shard name."""
        ...

    async def lost_since_recorded(self) -> list[str]:
        """The shards whose stored status is behind what this process recorded (the store lost writes)."""
        ...

    def forget(self) -> None:
        """Forget what this process recorded (after the store lost writes)."""
        ...


class Heartbeats(Protocol):
    """One heartbeat per live projector process, saying which rebuild it paused for."""

    async def beat(self, paused_for: str | None) -> None:
        """Record that this process is alive now, and the generation it paused for (if any)."""
        ...

    async def paused_for(self, recent_seconds: float) -> list[str | None]:
        """What each process that beat within `recent_seconds` paused for."""
        ...

    async def live(self, recent_seconds: float) -> int:
        """How many processes beat within `recent_seconds` (this one included, once it has beaten)."""
        ...
