"""What every aggregate shares: an id, a version and the events it recorded but nobody saved yet."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from innkeeper_contracts import DomainEvent


class Aggregate:
    """Consistency boundary; every change is recorded as an event that bumps the version by one."""

    aggregate_type: ClassVar[str]

    def __init__(self, aggregate_id: UUID, version: int) -> None:
        self.id = aggregate_id
        self.version = version
        self.pending_events: list[DomainEvent] = []

    @property
    def partition_key(self) -> str:
        """Events sharing this key are kept in order by consumers (the hotel id)."""
        raise NotImplementedError

    @property
    def saved_version(self) -> int:
        """The version stored before the pending events."""
        return self.version - len(self.pending_events)

    def _record(self, event: DomainEvent) -> None:
        self.pending_events.append(event)
        self.version += 1

    def take_pending_events(self) -> list[DomainEvent]:
        events, self.pending_events = self.pending_events, []
        return events
