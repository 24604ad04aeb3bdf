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

SESSION_SETUP = """
CREATE TEMP TABLE IF NOT EXISTS staged_events (
    ord int NOT NULL, event_id uuid NOT NULL, event_type text NOT NULL, schema_version int NOT NULL,
    aggregate_type text NOT NULL, aggregate_id uuid NOT NULL, aggregate_version int NOT NULL,
    partition_key text NOT NULL, occurred_at timestamptz NOT NULL, correlation_id text NOT NULL,
    causation_id text NOT NULL, data jsonb NOT NULL
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS staged_answer (
    key text NOT NULL, command text NOT NULL, request_hash text NOT NULL, body jsonb NOT NULL,
    token_suffix text NOT NULL
) ON COMMIT DELETE ROWS;
"""
"""Per-connection staging tables (run once per pooled connection): the events of the open transaction."""

_STAGE = """
WITH staged AS (
    INSERT INTO pg_temp.staged_events
    SELECT * FROM unnest($1::int[], $2::uuid[], $3::text[], $4::int[], $5::text[], $6::uuid[], $7::int[],
                         $8::text[], $9::timestamptz[], $10::text[], $11::text[], $12::jsonb[])
    RETURNING 1
)
INSERT INTO pg_temp.staged_answer (key, command, request_hash, body, token_suffix)
SELECT $13::text, $14::text, $15::text, $16::jsonb, $17::text WHERE $13::text IS NOT NULL
"""

# The serialised tail, sent as ONE simple-protocol message: the server takes the lock, draws the
# positions, appends, queues, remembers the answer and commits without waiting for this process in
# between, so a busy event loop never holds the lock. Positions are paired with the staged order.
_APPEND_AND_COMMIT = f"""
SELECT pg_advisory_xact_lock({APPEND_LOCK});
WITH staged AS (
    SELECT * FROM pg_temp.staged_events
), drawn AS MATERIALIZED (
    SELECT nextval('events_global_position_seq') AS position FROM staged
), numbered AS (
    SELECT position, row_number() OVER (ORDER BY position) AS ord FROM drawn
), appended AS (
    INSERT INTO events (global_position, event_id, event_type, schema_version, aggregate_type,
                        aggregate_id, aggregate_version, partition_key, occurred_at, correlation_id,
                        causation_id, data)
    SELECT n.position, s.event_id, s.event_type, s.schema_version, s.aggregate_type, s.aggregate_id,
           s.aggregate_version, s.partition_key, s.occurred_at, s.correlation_id, s.causation_id, s.data
    FROM numbered AS n JOIN staged AS s ON s.ord = n.ord
    RETURNING global_position
), queued AS (
    INSERT INTO outbox (global_position) SELECT global_position FROM appended RETURNING 1
)
INSERT INTO idempotency_keys (key, command, request_hash, status_code, response_body)
SELECT key, command, request_hash, 202,
       body || jsonb_build_object('consistency_token', (SELECT max(position) FROM drawn) || token_suffix)
FROM pg_temp.staged_answer;
SELECT pg_notify('innkeeper_outbox', '');
COMMIT;
"""

_LAST_POSITION = "SELECT global_position FROM events WHERE aggregate_id = $1 AND aggregate_version = $2"


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


async def append_and_commit(
    connection: Db, events: list[PendingEvent], request: CommandRequest, now: datetime
) -> None:
    """Stage the events (in parallel with other commands), then append them and commit (serialised)."""
    if not events:
        raise RuntimeError(f"{request.name} recorded no event")
    last = events[-1]
    key = request.idempotency_key
    # The stored answer is completed in SQL with the token `<position>.<aggregate id>.<version>`.
    answer_body = request.accepted(last.aggregate_id, "").model_dump(mode="json")
    del answer_body["consistency_token"]
    await connection.execute(
        _STAGE,
        list(range(1, len(events) + 1)),
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
        f".{last.aggregate_id}.{last.aggregate_version}",
    )
    await connection.execute(_APPEND_AND_COMMIT)


async def committed_answer(
    connection: Db, events: list[PendingEvent], request: CommandRequest
) -> CommandAccepted:
    """The answer to a committed command: its consistency token names the last event's position."""
    last = events[-1]
    position = await connection.fetchval(_LAST_POSITION, last.aggregate_id, last.aggregate_version)
    token = ConsistencyToken(
        aggregate_id=last.aggregate_id, aggregate_version=last.aggregate_version, global_position=position
    )
    return request.accepted(last.aggregate_id, token.encode())
