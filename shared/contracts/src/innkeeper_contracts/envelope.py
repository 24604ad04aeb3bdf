"""The envelope every event travels in, and the consistency token of a command answer."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import Field

from .events import EVENT_TYPES, DomainEvent
from .values import Actor, Contract


class UnknownEventTypeError(ValueError):
    """An envelope names an event type this version of the contracts does not know."""


class EventEnvelope(Contract):
    """One published event with what a consumer needs to order, deduplicate and trace it."""

    event_id: UUID = Field(description="Stable across republishing: the deduplication key.")
    event_type: str = Field(examples=["StayBooked"])
    schema_version: int = Field(ge=1)
    aggregate_type: str = Field(examples=["booking"])
    aggregate_id: UUID
    aggregate_version: int = Field(ge=1, description="1 for the aggregate's first event, no gaps.")
    global_position: int = Field(ge=1, description="Order of commit in the event log.")
    partition_key: str = Field(description="The hotel id: events with one key are kept in order.")
    occurred_at: datetime
    correlation_id: str
    causation_id: str = Field(description="Id of the command (or event) that caused this event.")
    data: dict[str, Any]
    actor: Actor | None = Field(default=None, description="Who sent the command (absent on older events).")

    @property
    def routing_key(self) -> str:
        return event_class(self.event_type).routing_key()

    def event(self) -> DomainEvent:
        """The typed event inside."""
        return event_class(self.event_type).model_validate(self.data)


def event_class(event_type: str) -> type[DomainEvent]:
    try:
        return EVENT_TYPES[event_type]
    except KeyError:
        raise UnknownEventTypeError(f"unknown event type {event_type!r}") from None


_TOKEN = re.compile(
    r"(?P<position>[1-9][0-9]{0,18})\.(?P<aggregate_id>[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})\.(?P<version>[1-9][0-9]{0,9})"
)


class ConsistencyToken(Contract):
    """Says which write a reader wants to see: its aggregate, version and global position."""

    aggregate_id: UUID
    aggregate_version: int = Field(ge=1)
    global_position: int = Field(ge=1)

    def encode(self) -> str:
        return f"{self.global_position}.{self.aggregate_id}.{self.aggregate_version}"

    @classmethod
    def decode(cls, token: str) -> ConsistencyToken:
        """Parse `<position>.<aggregate id>.<version>` exactly as `encode` writes it; else ValueError."""
        match = _TOKEN.fullmatch(token)
        if match is None:
            raise ValueError("a consistency token reads <position>.<aggregate id>.<version>")
        return cls(
            aggregate_id=UUID(match["aggregate_id"]),
            aggregate_version=int(match["version"]),
            global_position=int(match["position"]),
        )
