"""A delivery record of `notifier.deliveries`: as the dispatcher and the operator read it (`Delivery`),
and the row an event's planned delivery is recorded as."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from innkeeper_contracts import EventEnvelope

from .plans import PlannedDelivery


@dataclass(frozen=True)
class Delivery:
    """A delivery record as the dispatcher and the operator see it."""

    id: int
    event_id: UUID
    event_type: str
    channel: str
    recipient: str
    template: str
    correlation_id: str
    envelope: EventEnvelope
    state: str
    attempts: int
    last_error: str | None
    created_at: datetime
    claim: UUID | None
    traceparent: str | None = None
    """The intake span's W3C trace context: the send's parent (None: tracing was off when planned)."""

    @classmethod
    def of(cls, row: asyncpg.Record) -> Delivery:
        fields = {name: row[name] for name in cls.__dataclass_fields__ if name != "envelope"}
        return cls(**fields, envelope=EventEnvelope.model_validate_json(row["envelope"]))


def delivery_row(envelope: EventEnvelope, delivery: PlannedDelivery) -> tuple[Any, ...]:
    """The columns `DeliveryStore.record` writes, in its statement's order; one that cannot be sent
    (no address) is recorded failed at once, with its reason."""
    state = "failed" if delivery.undeliverable else "pending"
    return (
        envelope.event_id,
        envelope.event_type,
        delivery.channel,
        delivery.recipient,
        delivery.template,
        envelope.aggregate_id,
        envelope.aggregate_version,
        envelope.global_position,
        envelope.correlation_id,
        envelope.model_dump_json(),
        state,
        delivery.undeliverable,
        delivery.traceparent,
        delivery.guest_id,
        ",".join(sorted(map(str, delivery.key_ids))),  # unnest cannot take an array of arrays
    )


def changed_rows(status: str) -> int:
    """How many rows a statement changed, from PostgreSQL's status line (`UPDATE 3`)."""
    return int(status.rsplit(" ", 1)[-1])
