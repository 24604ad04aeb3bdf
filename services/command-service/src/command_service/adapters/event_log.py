"""Appending events to the log (and the outbox) at the end of a command's transaction: under the append
lock in shared mode, so appends run in parallel, with positions in version order per aggregate. Why
that is enough for every reader (the horizon, per-aggregate order): docs/architecture.md, "Event log and
global position".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

import asyncpg
import orjson

from command_service.adapters.append_statement import ALONE
from command_service.adapters.transaction import Transaction
from command_service.application.requests import CommandRequest
from command_service.domain.aggregate import Aggregate
from innkeeper_contracts import CommandAccepted, ConsistencyToken


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
    transaction: Transaction,
    events: list[PendingEvent],
    request: CommandRequest,
    now: datetime,
) -> CommandAccepted:
    """Append the events in the last statement (with the write deferred to it, if any) and commit; the
    answer's consistency token names the last event's position."""
    if not events:
        raise RuntimeError(f"{request.name} recorded no event")
    last = events[-1]
    key = request.idempotency_key
    # The stored answer is completed in SQL with the token `<position>.<aggregate id>.<version>`.
    answer_body = request.accepted(last.aggregate_id, "").model_dump(mode="json")
    del answer_body["consistency_token"]
    arguments = (
        [event.event_id for event in events],
        [event.event_type for event in events],
        [event.schema_version for event in events],
        [event.aggregate_type for event in events],
        [event.aggregate_id for event in events],
        [event.aggregate_version for event in events],
        [event.partition_key for event in events],
        [event.data for event in events],
        now,
        request.correlation_id,
        request.command_id,
        key or None,
        request.name,
        request.request_hash() if key else None,
        orjson.dumps(answer_body).decode(),
        f".{last.aggregate_id}.{last.aggregate_version}",
        request.actor_json(),
        request.idempotency_scope,
    )
    if (deferred := transaction.deferred) is None:
        row = await transaction.last(ALONE, *arguments)
    else:
        try:
            row = await transaction.last(deferred.statement, *arguments, *deferred.arguments())
        except asyncpg.PostgresError as error:
            deferred.refused(error)
            raise
        deferred.check(row)
    await transaction.commit()
    token = ConsistencyToken(
        aggregate_id=last.aggregate_id,
        aggregate_version=last.aggregate_version,
        global_position=row["last_position"],
    )
    return request.accepted(last.aggregate_id, token.encode())
