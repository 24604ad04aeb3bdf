"""Appending events to the log (and the outbox) at the end of a command's transaction.

Positions commit in order: the transaction takes `pg_advisory_xact_lock(APPEND_LOCK)` right before
it draws positions from the sequence, and holds it until commit. Only this tail is serialised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

import orjson

from command_service.adapters.pg_errors import Db
from command_service.application.requests import CommandRequest
from command_service.domain.aggregate import Aggregate
from innkeeper_contracts import CommandAccepted, ConsistencyToken

APPEND_LOCK = 7_301_002

_DRAW_POSITIONS = """
SELECT nextval('events_global_position_seq') AS position
FROM (SELECT pg_advisory_xact_lock($1) OFFSET 0) AS locked, generate_series(1, $2)
"""

_APPEND = """
WITH appended AS (
    INSERT INTO events (global_position, event_id, event_type, schema_version, aggregate_type,
                        aggregate_id, aggregate_version, partition_key, occurred_at, correlation_id,
                        causation_id, data)
    SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::int[], $5::text[], $6::uuid[],
                         $7::int[], $8::text[], $9::timestamptz[], $10::text[], $11::text[], $12::jsonb[])
    RETURNING global_position
), queued AS (
    INSERT INTO outbox (global_position) SELECT global_position FROM appended RETURNING 1
), remembered AS (
    INSERT INTO idempotency_keys (key, command, request_hash, status_code, response_body)
    SELECT $13::text, $14::text, $15::text, 202, $16::jsonb WHERE $13::text IS NOT NULL
    RETURNING 1
)
SELECT (SELECT count(*) FROM queued) AS queued, (SELECT count(*) FROM remembered) AS remembered,
       pg_notify('innkeeper_outbox', '') AS notified
"""


@dataclass(frozen=True)
class PendingEvent:
    event_id: UUID
    event_type: str
    schema_version: int
    aggregate_type: str
    aggregate_id: UUID
    aggregate_version: int
    partition_key: str
    data: str


class EventRecorder:
    """Collects the events of the aggregates a unit of work saves, in order."""

    def __init__(self) -> None:
        self.pending: list[PendingEvent] = []

    def collect(self, aggregate: Aggregate) -> None:
        first_version = aggregate.saved_version + 1
        for offset, event in enumerate(aggregate.take_pending_events()):
            self.pending.append(
                PendingEvent(
                    event_id=uuid4(),
                    event_type=event.event_type(),
                    schema_version=event.schema_version,
                    aggregate_type=aggregate.aggregate_type,
                    aggregate_id=aggregate.id,
                    aggregate_version=first_version + offset,
                    partition_key=aggregate.partition_key,
                    data=event.model_dump_json(),
                )
            )


async def append_and_answer(
    connection: Db, events: list[PendingEvent], request: CommandRequest, now: datetime
) -> CommandAccepted:
    """Append the events and outbox rows, remember the answer, wake the relays; returns the answer."""
    if not events:
        raise RuntimeError(f"{request.name} recorded no event")
    rows = await connection.fetch(_DRAW_POSITIONS, APPEND_LOCK, len(events))
    positions = sorted(row["position"] for row in rows)
    last = events[-1]
    token = ConsistencyToken(
        aggregate_id=last.aggregate_id,
        aggregate_version=last.aggregate_version,
        global_position=positions[-1],
    )
    answer = request.accepted(last.aggregate_id, token.encode())
    key = request.idempotency_key
    await connection.fetchrow(
        _APPEND,
        positions,
        [event.event_id for event in events],
        [event.event_type for event in events],
        [event.schema_version for event in events],
        [event.aggregate_type for event in events],
        [event.aggregate_id for event in events],
        [event.aggregate_version for event in events],
        [event.partition_key for event in events],
        [now] * len(events),
        [request.correlation_id] * len(events),
        [request.command_id] * len(events),
        [event.data for event in events],
        key or None,
        request.name,
        request.request_hash() if key else None,
        orjson.dumps(answer.model_dump(mode="json")).decode() if key else None,
    )
    return answer
