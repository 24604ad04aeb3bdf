"""What the planner needs of the event log: the events that fill a gap."""

from __future__ import annotations

from typing import Protocol

from innkeeper_contracts import EventEnvelope


class GapNotHealedError(Exception):
    """The event log does not (yet) hold the events missing before a delivered one."""


class EventLog(Protocol):
    """The PostgreSQL `events` table, read only."""

    async def between(
        self, aggregate_id: str, after_version: int, before_version: int
    ) -> list[EventEnvelope]:
        """Events of an aggregate with after_version < version < before_version, in order."""
        ...


class ReconciledLog(EventLog, Protocol):
    """What reconciling the read store with the log reads of it (`reconcile.py`)."""

    async def horizon(self) -> int:
        """A position at or below which every event is final."""
        ...

    async def versions_at(self, horizon: int) -> dict[str, int]:
        """Per aggregate, the highest version at or below `horizon`."""
        ...

    async def newer_than(self, versions: dict[str, int], horizon: int) -> list[EventEnvelope]:
        """The events of these aggregates after the given versions, at or below `horizon`, by position."""
        ...
