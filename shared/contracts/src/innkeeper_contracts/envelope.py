"""The envelope every event travels in, and the consistency token of a command answer."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, StringConstraints

from .contract import TolerantContract
from .events import EVENT_TYPES, DomainEvent
from .text import ONE_LINE
from .upcasting import Recorded, upcast
from .values import Actor, Contract

MAX_TRACE_ID_LENGTH = 255
"""Longest correlation or causation id (the command's id: its idempotency key) an envelope carries. Not
the strict id pattern the services now give new ids: events already in the log were written with ids of
any printable text, up to 200 characters over HTTP and up to 255 over AMQP (a message's correlation-id
and message-id are AMQP short strings), and the projector reads them again (rebuild, gap healing)."""
NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_]{0,63}$"
"""An event type or aggregate type: `StayBooked`, `booking`."""

TraceId = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TRACE_ID_LENGTH), ONE_LINE]
TypeName = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]


class UnknownEventTypeError(ValueError):
    """An envelope names an event type this version of the contracts does not know."""


class EventEnvelope(TolerantContract):
    """One published event with what a consumer needs to order, deduplicate and trace it.

    Read tolerantly, like the events inside: a field this version does not know is ignored."""

    event_id: UUID = Field(description="Stable across republishing: the deduplication key.")
    event_type: TypeName = Field(examples=["StayBooked"])
    schema_version: int = Field(ge=1, description="The version of `data`'s schema (docs/evolution.md).")
    aggregate_type: TypeName = Field(examples=["booking"])
    aggregate_id: UUID
    aggregate_version: int = Field(ge=1, description="1 for the aggregate's first event, no gaps.")
    global_position: int = Field(ge=1, description="Order of commit in the event log.")
    partition_key: Annotated[str, StringConstraints(min_length=1, max_length=64), ONE_LINE] = Field(
        description="The hotel id: events with one key are kept in order."
    )
    occurred_at: datetime
    correlation_id: TraceId
    causation_id: TraceId = Field(description="Id of the command (or event) that caused this event.")
    data: dict[str, Any]
    actor: Actor | None = Field(default=None, description="Who sent the command (absent on older events).")

    @property
    def routing_key(self) -> str:
        return event_class(self.event_type).routing_key()

    def event(self) -> DomainEvent:
        """The typed event inside, its data lifted to the version its model describes: raises
        UnknownEventTypeError, a SchemaVersionError (too new, no upcaster) or a ValidationError."""
        return event_class(self.event_type).model_validate(self._current_data())

    def upcast(self) -> EventEnvelope:
        """This envelope with its data at the current schema version (itself when it is already): for
        a reader that keeps or forwards the envelope, not only its typed event."""
        current = event_class(self.event_type).schema_version
        if self.schema_version == current:
            return self
        return self.model_copy(update={"schema_version": current, "data": self._current_data()})

    def _current_data(self) -> dict[str, Any]:
        current = event_class(self.event_type).schema_version
        if self.schema_version == current:
            return self.data
        recorded = Recorded(occurred_at=self.occurred_at)
        return upcast(self.event_type, self.schema_version, self.data, recorded, to=current)


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
