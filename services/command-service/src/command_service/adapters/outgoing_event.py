"""An event of the log as the relay publishes it: the EventEnvelope JSON and what routes it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson

ENVELOPE_COLUMNS = (
    "global_position", "event_id", "event_type", "schema_version", "aggregate_type", "aggregate_id",
    "aggregate_version", "partition_key", "occurred_at", "correlation_id", "causation_id", "data", "actor",
)  # fmt: skip
"""The columns of an events row that make its EventEnvelope (a query may return more)."""


@dataclass(frozen=True)
class OutgoingEvent:
    """One event of the log, ready to publish."""

    global_position: int
    event_id: str
    event_type: str
    partition_key: str
    correlation_id: str
    body: bytes


def outgoing_event(row: asyncpg.Record) -> OutgoingEvent:
    """The event of an outbox row joined with its events row."""
    return OutgoingEvent(
        global_position=row["global_position"],
        event_id=str(row["event_id"]),
        event_type=row["event_type"],
        partition_key=row["partition_key"],
        correlation_id=row["correlation_id"],
        body=envelope_body({name: row[name] for name in ENVELOPE_COLUMNS}),
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
