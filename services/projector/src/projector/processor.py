"""One batch of a shard, all or nothing: project, park what keeps failing, save, record the position.

Documents are written before checkpoints, and every write is idempotent, so a crash anywhere leaves
a state that the redelivered batch brings to the same result. The caller acks only after `process`.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass

import structlog

from innkeeper_contracts import EventEnvelope

from .applier import Plan, plan_batch
from .generations import GenerationRegistry
from .metrics import METRICS
from .parking import ParkingLot
from .ports import DocumentStore, EventLog, WriteConflictError
from .status import StatusBoard

log = structlog.get_logger("projector.processor")


@dataclass
class BatchProcessor:
    """Applies batches of one shard to every generation that is written (active, and a rebuild)."""

    store: DocumentStore
    registry: GenerationRegistry
    events: EventLog
    parking: ParkingLot
    status: StatusBoard
    max_attempts: int = 3

    async def process(self, shard: str, envelopes: list[EventEnvelope]) -> None:
        attempts: Counter[str] = Counter()
        while True:
            try:
                if await self._attempt(shard, envelopes, attempts):
                    return
            except WriteConflictError as conflict:
                log.info("write conflict, applying the batch again", shard=shard, reason=str(conflict))

    async def _attempt(self, shard: str, envelopes: list[EventEnvelope], attempts: Counter[str]) -> bool:
        generations = await self.registry.current()
        aggregates = {str(e.aggregate_id) for e in envelopes}
        blocked, retrying = await self.parking.blocked(aggregates)
        active = await plan_batch(self.store, generations.active, envelopes, self.events, blocked)
        if active.failed:
            await self._count_failures(shard, active, attempts)
            return False
        await self.store.save(generations.active, active.view.changed, active.revisions, active.checkpoints)
        behind = [
            (e, "behind", f"an earlier event of aggregate {e.aggregate_id} is parked") for e in active.behind
        ]
        await self.parking.park(behind, shard)  # type: ignore[arg-type]
        await self.parking.resolved(
            event_id
            for event_id, (aggregate, version) in retrying.items()
            if version <= active.versions.get(aggregate, 0)
        )
        await self.status.record(shard, active, len(envelopes))
        METRICS.record(shard, active)
        _log_applied(shard, active)
        return True

    async def _count_failures(self, shard: str, plan: Plan, attempts: Counter[str]) -> None:
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
            if count >= self.max_attempts:
                to_park.append((envelope, "failed", reason))
        if to_park:
            await self.parking.park(to_park, shard, attempts=self.max_attempts)  # type: ignore[arg-type]
            METRICS.parked.inc(len(to_park))
        else:
            await asyncio.sleep(0.05 * max(attempts.values()))


def _log_applied(shard: str, plan: Plan) -> None:
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
