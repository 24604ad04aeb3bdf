"""Events as the outbox relay puts them on the wire, learned from the published contract (docs/architecture.md
"Events on the wire", docs/asyncapi/innkeeper.json), never from the services' code: exchange
`innkeeper.events`, routing key `<aggregate>.<event>`, body = the EventEnvelope JSON of the events row,
message_id = event id, correlation_id, type = event type, persistent, and the headers `x-partition-key`,
`x-event-type`, `x-correlation-id`.

The body is built as the relay builds it (read, not imported): the envelope's fields in the columns'
order, compact JSON, `occurred_at` as ISO 8601 with its UTC offset, and `data`/`actor` embedded as
PostgreSQL prints the jsonb (`data::text`), so a republished event is byte for byte what was sent."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
import orjson

ROOT = Path(__file__).resolve().parents[1]
ASYNCAPI = ROOT / "docs" / "asyncapi" / "innkeeper.json"
EVENTS_EXCHANGE = "innkeeper.events"

ENVELOPE_COLUMNS = (
    "global_position", "event_id", "event_type", "schema_version", "aggregate_type", "aggregate_id",
    "aggregate_version", "partition_key", "occurred_at", "correlation_id", "causation_id", "data", "actor",
)  # fmt: skip

Row = Mapping[str, Any] | asyncpg.Record

SELECT_EVENTS = """
SELECT global_position, event_id, event_type, schema_version, aggregate_type, aggregate_id,
       aggregate_version, partition_key, occurred_at, correlation_id, causation_id,
       data::text AS data, actor::text AS actor
FROM events WHERE global_position = ANY($1::bigint[])
"""
"""The rows of the given positions, `data` and `actor` as jsonb text (what `envelope_body` embeds)."""


@dataclass(frozen=True)
class EventType:
    routing_key: str
    schema_version: int


@cache
def catalog(path: Path = ASYNCAPI) -> dict[str, EventType]:
    """Event type → its routing key and current schema version, from the AsyncAPI channels
    `events.<Type>` (address = routing key; the description names "schema version N")."""
    channels = json.loads(path.read_text())["channels"]
    found: dict[str, EventType] = {}
    for name, channel in channels.items():
        if name.startswith("events."):
            version = re.search(r"schema version (\d+)", channel.get("description", ""))
            found[name.removeprefix("events.")] = EventType(
                channel["address"], int(version.group(1)) if version else 1
            )
    return found


def routing_key(event_type: str, aggregate_type: str) -> str:
    """The published routing key; an event type the document does not list (newer than it) gets the
    contract's rule, `<aggregate>.<event in snake case>`."""
    known = catalog().get(event_type)
    if known is not None:
        return known.routing_key
    return f"{aggregate_type}.{re.sub(r'(?<!^)(?=[A-Z])', '_', event_type).lower()}"


def envelope_body(row: Row) -> bytes:
    """The EventEnvelope JSON of an events row read with SELECT_EVENTS."""
    envelope = {name: row[name] for name in ENVELOPE_COLUMNS}
    envelope["event_id"] = str(row["event_id"])
    envelope["aggregate_id"] = str(row["aggregate_id"])
    envelope["data"] = orjson.Fragment(row["data"])
    envelope["actor"] = None if row["actor"] is None else orjson.Fragment(row["actor"])
    return orjson.dumps(envelope)


def event_message(
    body: bytes, *, event_id: str, event_type: str, partition_key: str, correlation_id: str
) -> aio_pika.Message:
    """The AMQP message of an event, with the properties and headers the relay sends."""
    return aio_pika.Message(
        body,
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        priority=0,
        correlation_id=correlation_id,
        message_id=event_id,
        type=event_type,
        headers={
            "x-partition-key": partition_key,
            "x-event-type": event_type,
            "x-correlation-id": correlation_id,
        },
    )


def row_message(row: Row) -> tuple[aio_pika.Message, str]:
    """An events row as the relay publishes it: the message and its routing key."""
    message = event_message(
        envelope_body(row),
        event_id=str(row["event_id"]),
        event_type=row["event_type"],
        partition_key=row["partition_key"],
        correlation_id=row["correlation_id"],
    )
    return message, routing_key(row["event_type"], row["aggregate_type"])
