"""Appending events to the log (and the outbox) at the end of a command's transaction: under the append
lock in shared mode, so appends run in parallel, with positions in version order per aggregate. Why
that is enough for every reader (the horizon, per-aggregate order): docs/architecture.md, "Event log and
global position". In which order the final statement does it: `final_statement`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

import asyncpg
import orjson

from command_service.adapters.write_fragment import Parameters, WriteFragment
from command_service.application.ports import Committed
from command_service.application.requests import CommandRequest
from command_service.domain.aggregate import Aggregate
from innkeeper_contracts.eventlog import APPEND_LOCK


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


_APPEND = """input AS (
    SELECT * FROM unnest({ids}, {types}, {schemas}, {aggregate_types}, {aggregate_ids}, {versions},
                         {partition_keys}, {data}) WITH ORDINALITY
        AS u(event_id, event_type, schema_version, aggregate_type, aggregate_id, aggregate_version,
             partition_key, data, ord)
), drawn AS MATERIALIZED (
    SELECT nextval('events_global_position_seq') AS position FROM input
    WHERE {after} AND (SELECT pg_advisory_xact_lock_shared({lock})::text) IS NOT NULL
), numbered AS (
    SELECT position, row_number() OVER (ORDER BY position) AS ord FROM drawn
), appended AS (
    INSERT INTO events (global_position, event_id, event_type, schema_version, aggregate_type,
                        aggregate_id, aggregate_version, partition_key, occurred_at, correlation_id,
                        causation_id, data, actor)
    SELECT n.position, i.event_id, i.event_type, i.schema_version, i.aggregate_type, i.aggregate_id,
           i.aggregate_version, i.partition_key, {now}, {correlation_id}, {causation_id}, i.data, {actor}
    FROM numbered AS n JOIN input AS i ON i.ord = n.ord
    RETURNING global_position
), queued AS (
    INSERT INTO outbox (global_position, traceparent) SELECT global_position, {traceparent} FROM appended
    RETURNING 1
), remembered AS (
    INSERT INTO idempotency_keys (principal, key, command, request_hash, status_code, response_body)
    SELECT {scope}, {key}, {command}, {request_hash}, 202,
           {answer} || jsonb_build_object('consistency_token', (SELECT max(position) FROM drawn) || {token})
    WHERE {key} IS NOT NULL AND EXISTS (SELECT 1 FROM drawn)
    RETURNING 1
)"""


@dataclass(frozen=True)
class EventAppend(WriteFragment):
    """The events of a command appended, queued in the outbox (with the `traceparent` of the request
    that made them, None while tracing is off) and its answer remembered under its idempotency key: the
    last part of the final statement (a `Write`)."""

    events: list[PendingEvent]
    request: CommandRequest
    now: datetime
    traceparent: str | None = None
    written = "EXISTS (SELECT 1 FROM drawn)"
    columns = (
        "(SELECT max(position) FROM drawn) AS last_position, (SELECT count(*) FROM remembered) AS remembered"
    )

    def __post_init__(self) -> None:
        if not self.events:
            raise RuntimeError(f"{self.request.name} recorded no event")

    def ctes(self, parameters: Parameters, after: str) -> str:
        events, request, p = self.events, self.request, parameters
        last, key = events[-1], request.idempotency_key or None
        # The stored answer is completed in SQL with the token `<position>.<aggregate id>.<version>`.
        answer = request.accepted(last.aggregate_id, "").model_dump(mode="json")
        del answer["consistency_token"]
        return _APPEND.format(
            ids=p([event.event_id for event in events], "uuid[]"),
            types=p([event.event_type for event in events], "text[]"),
            schemas=p([event.schema_version for event in events], "int[]"),
            aggregate_types=p([event.aggregate_type for event in events], "text[]"),
            aggregate_ids=p([event.aggregate_id for event in events], "uuid[]"),
            versions=p([event.aggregate_version for event in events], "int[]"),
            partition_keys=p([event.partition_key for event in events], "text[]"),
            data=p([event.data for event in events], "jsonb[]"),
            after=after,
            lock=APPEND_LOCK,
            now=p(self.now, "timestamptz"),
            correlation_id=p(request.correlation_id, "text"),
            causation_id=p(request.command_id, "text"),
            actor=p(request.actor_json(), "jsonb"),
            traceparent=p(self.traceparent, "text"),
            scope=p(request.idempotency_scope, "text"),
            key=p(key, "text"),
            command=p(request.name, "text"),
            request_hash=p(request.request_hash() if key else None, "text"),
            answer=p(orjson.dumps(answer).decode(), "jsonb"),
            token=p(f".{last.aggregate_id}.{last.aggregate_version}", "text"),
        )

    def committed(self, row: asyncpg.Record) -> Committed:
        """Where the last event went: its aggregate, version and position."""
        last = self.events[-1]
        return Committed(last.aggregate_id, last.aggregate_version, row["last_position"])
