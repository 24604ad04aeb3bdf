"""What a batch leaves besides documents: a log line per applied event, or attempts that end in parking."""

from __future__ import annotations

import asyncio
from collections import Counter

import structlog

from .applier import Plan
from .metrics import METRICS
from .parking import ParkingLot

log = structlog.get_logger("projector.processor")  # the batch's own lines, under the name they always had


async def retry_or_park(
    parking: ParkingLot, max_attempts: int, shard: str, plan: Plan, attempts: Counter[str]
) -> None:
    """Try again (state read afresh) until an event failed `max_attempts` times; then park it."""
    to_park = []
    for envelope, reason in plan.failed:
        attempts[str(envelope.event_id)] += 1
        count = attempts[str(envelope.event_id)]
        log.warning(
            "event failed",
            event_id=str(envelope.event_id),
            correlation_id=envelope.correlation_id,
            attempt=count,
            reason=reason,
        )
        if count >= max_attempts:
            to_park.append((envelope, "failed", reason))
    if to_park:
        await parking.park(to_park, shard, attempts=max_attempts)  # type: ignore[arg-type]
        METRICS.parked.inc(len(to_park))
    else:
        await asyncio.sleep(0.05 * max(attempts.values()))


def log_applied(shard: str, plan: Plan) -> None:
    """One line per applied event, under the event's correlation id and causation id (the command id),
    so one grep follows a request from the command service to the read model."""
    for event in plan.applied:
        log.info(
            "event.applied",
            shard=shard,
            event_id=str(event.event_id),
            event_type=event.event_type,
            aggregate_id=str(event.aggregate_id),
            aggregate_version=event.aggregate_version,
            global_position=event.global_position,
            correlation_id=event.correlation_id,
            causation_id=event.causation_id,
        )
