"""An event of the log as the relay publishes it: the EventEnvelope JSON, what routes it and the AMQP
properties it goes with (the contract's headers, and its publish span's `traceparent` when traced)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aio_pika
import asyncpg
import orjson
from aiormq import spec

from innkeeper_contracts import event_class
from innkeeper_contracts.topology import event_headers
from innkeeper_kit.tracing import TRACEPARENT

PERSISTENT = int(aio_pika.DeliveryMode.PERSISTENT)

ENVELOPE_COLUMNS = (
    "global_position", "event_id", "event_type", "schema_version", "aggregate_type", "aggregate_id",
    "aggregate_version", "partition_key", "occurred_at", "correlation_id", "causation_id", "data", "actor",
)  # fmt: skip
"""The columns of an events row that make its EventEnvelope (a query may return more)."""


@dataclass(frozen=True)
class OutgoingEvent:
    """One event of the log, ready to publish; `traceparent` is the trace context stored with its
    outbox row (None: the request was not traced)."""

    global_position: int
    event_id: str
    event_type: str
    partition_key: str
    correlation_id: str
    body: bytes
    traceparent: str | None = None


def outgoing_event(row: asyncpg.Record) -> OutgoingEvent:
    """The event of an outbox row (its `traceparent`, if the query read it) joined with its events row."""
    return OutgoingEvent(
        global_position=row["global_position"],
        event_id=str(row["event_id"]),
        event_type=row["event_type"],
        partition_key=row["partition_key"],
        correlation_id=row["correlation_id"],
        body=envelope_body({name: row[name] for name in ENVELOPE_COLUMNS}),
        traceparent=row.get("traceparent"),
    )


def envelope_body(row: Mapping[str, Any]) -> bytes:
    """The EventEnvelope JSON of an events row (`data` and `actor` are stored JSON text, embedded as
    they are)."""
    envelope = dict(row)
    envelope["event_id"] = str(row["event_id"])
    envelope["aggregate_id"] = str(row["aggregate_id"])
    envelope["data"] = orjson.Fragment(row["data"])
    envelope["actor"] = None if row.get("actor") is None else orjson.Fragment(row["actor"])
    return orjson.dumps(envelope)


def routing_key(event: OutgoingEvent) -> str:
    return event_class(event.event_type).routing_key()


def amqp_properties(event: OutgoingEvent, traceparent: str | None) -> spec.Basic.Properties:
    """What aio_pika.Message(...) would send: persistent JSON with ids, type and the contract's headers
    (and the publish span's `traceparent`, when the event is traced)."""
    headers: dict[str, Any] = dict(
        event_headers(
            partition_key=event.partition_key,
            event_type=event.event_type,
            correlation_id=event.correlation_id,
        )
    )
    if traceparent is not None:
        headers[TRACEPARENT] = traceparent
    return spec.Basic.Properties(
        content_type="application/json",
        delivery_mode=PERSISTENT,
        priority=0,
        correlation_id=event.correlation_id,
        message_id=event.event_id,
        message_type=event.event_type,
        headers=headers,
    )
