"""What a written batch leaves besides documents: a log line per applied event, and its shard's status
and parking lot brought up to date."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import structlog

from innkeeper_contracts import EventEnvelope
from innkeeper_kit.logging import event_fields

from .planner import Plan
from .ports import Kind, ParkingLot, StatusBoard
from .spans import BatchSpans

log = structlog.get_logger("projector.processor")  # the name its log lines always had


async def record_batch(
    parking: ParkingLot,
    status: StatusBoard,
    shard: str,
    plan: Plan,
    delivered: int,
    retrying: dict[str, tuple[str, int]],
    traceparents: Mapping[str, str] | None = None,
) -> bool:
    """Park what waits behind a parked event, clear retried events that are applied, record the
    batch; returns whether this process was the only one to record a batch of the shard since."""
    reason = "an earlier event of aggregate {} is parked"
    behind: list[tuple[EventEnvelope, Kind, str]] = [
        (e, "behind", reason.format(e.aggregate_id)) for e in plan.behind
    ]
    resolved = [
        event_id
        for event_id, (aggregate, version) in retrying.items()
        if version <= plan.versions.get(aggregate, 0)
    ]
    results = await asyncio.gather(
        parking.park(behind, shard, traceparents=traceparents),
        parking.resolved(resolved),
        status.record(shard, plan, delivered),
        return_exceptions=True,
    )
    for result in results:
        if isinstance(result, BaseException):  # each finished; the batch is applied again
            raise result
    return bool(results[2])


def log_applied(shard: str, plan: Plan, spans: BatchSpans | None = None) -> None:
    """One line per applied event, under the event's correlation id and causation id (the command id),
    so one grep follows a request from the command service to the read model; with tracing on, logged
    under the event's span, so the line carries the request's trace id too."""
    for event in plan.applied:
        if spans is None:
            _log_applied(shard, event)
        else:
            with spans.event(event.event_id):
                _log_applied(shard, event)


def _log_applied(shard: str, event: EventEnvelope) -> None:
    log.info(
        "event.applied",
        shard=shard,
        **event_fields(event),
        aggregate_id=str(event.aggregate_id),
        aggregate_version=event.aggregate_version,
        global_position=event.global_position,
        causation_id=event.causation_id,
    )
