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

# One round trip: lock, draw positions, append events and outbox rows, remember the answer, notify.
# `drawn` joins `locked`, so no position is drawn before the lock is held.
_APPEND = """
WITH locked AS MATERIALIZED (
    SELECT pg_advisory_xact_lock($1) AS held
), drawn AS MATERIALIZED (
    SELECT nextval('events_global_position_seq') AS position FROM locked, generate_series(1, $2)
), numbered AS (
    SELECT position, row_number() OVER (ORDER BY position) AS ord FROM drawn
), appended AS (
    INSERT INTO events (global_position, event_id, event_type, schema_version, aggregate_type,
                        aggregate_id, aggregate_version, partition_key, occurred_at, correlation_id,
                        causation_id, data)
    SELECT n.position, e.event_id, e.event_type, e.schema_version, e.aggregate_type, e.aggregate_id,
           e.aggregate_version, e.partition_key, e.occurred_at, e.correlation_id, e.causation_id, e.data
    FROM numbered AS n
    JOIN unnest($3::uuid[], $4::text[], $5::int[], $6::text[], $7::uuid[], $8::int[], $9::text[],
                $10::timestamptz[], $11::text[], $12::text[], $13::jsonb[])
         WITH ORDINALITY AS e(event_id, event_type, schema_version, aggregate_type, aggregate_id,
                              aggregate_version, partition_key, occurred_at, correlation_id, causation_id,
                              data, ord)
      ON e.ord = n.ord
    RETURNING global_position
), queued AS (
    INSERT INTO outbox (global_position) SELECT global_position FROM appended RETURNING 1
), remembered AS (
    INSERT INTO idempotency_keys (key, command, request_hash, status_code, response_body)
    SELECT $14::text, $15::text, $16::text, 202,
           $17::jsonb || jsonb_build_object(
               'consistency_token', (SELECT max(position) FROM drawn) || $18::text)
    WHERE $14::text IS NOT NULL
    RETURNING 1
)
SELECT (SELECT max(position) FROM drawn) AS last_position, (SELECT count(*) FROM queued) AS queued,
       (SELECT count(*) FROM remembered) AS remembered, pg_notify('innkeeper_outbox', '') AS notified
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
    last = events[-1]
    key = request.idempotency_key
    # The stored answer is completed in SQL with the token `<position>.<aggregate id>.<version>`.
    token_suffix = f".{last.aggregate_id}.{last.aggregate_version}"
    answer_body = request.accepted(last.aggregate_id, "").model_dump(mode="json")
    del answer_body["consistency_token"]
    row = await connection.fetchrow(
        _APPEND,
        APPEND_LOCK,
        len(events),
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
        orjson.dumps(answer_body).decode(),
        token_suffix,
    )
    assert row is not None
    token = ConsistencyToken(
        aggregate_id=last.aggregate_id,
        aggregate_version=last.aggregate_version,
        global_position=row["last_position"],
    ).encode()
    assert token == f"{row['last_position']}{token_suffix}", "stored token format must match"
    return request.accepted(last.aggregate_id, token)
