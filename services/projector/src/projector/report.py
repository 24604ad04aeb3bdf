"""What `/status` answers and `/metrics` samples: the projector's position and lag behind the event log,
the generations readers use, the parking lot size, and whether the read store is in step with the log
(`reconcile`: a store that lost writes shows them as lag, not as lag 0). Bounded in time: the MongoDB
driver alone would wait 30 s to select a server that is down."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from pydantic import BaseModel

from .event_log import PostgresEventLog
from .ports import StatusBoard
from .reconcile import RECONCILE_SHARD, ReconcileStatus
from .runtime import Runtime

STATUS_SECONDS = 3.0
"""The longest `/status` (and the lag sampled for `/metrics`) waits for MongoDB and PostgreSQL."""

STATUS_EXAMPLE = {
    "log_head": 42,
    "applied_position": 42,
    "lag_events": 0,
    "lag_seconds": 0.0,
    "shards": [{"shard": "0", "position": 42, "events_applied": 42, "batches": 7}],
    "generation": "g1",
    "rebuilding": None,
    "parked": 0,
    "reconcile": {
        "state": "ok",
        "missing_events": 0,
        "last_run": "2027-01-01T00:00:00Z",
        "reason": "start",
        "repaired_events": 0,
    },
}


class ShardStatus(BaseModel):
    """Where one shard is: the highest global position it applied, and when."""

    shard: str
    position: int = 0
    applied_at: datetime | None = None
    last_event_at: datetime | None = None
    events_applied: int = 0
    batches: int = 0
    duplicates: int = 0
    deliveries: int = 0
    consumer: str | None = None


class Lag(BaseModel):
    """How far the read model is behind the event log, in events and in seconds."""

    log_head: int
    applied_position: int
    lag_events: int
    lag_seconds: float
    shards: list[ShardStatus]


class ProjectorStatus(Lag):
    """The projector's position and lag, the generation readers use, and the parking lot size."""

    generation: str
    rebuilding: str | None
    parked: int
    reconcile: ReconcileStatus | None = None
    """The read store against the event log (`reconcile.py`); None in an operator tool."""


async def status_report(runtime: Runtime) -> ProjectorStatus:
    """The status now; it refreshes the lag and parking gauges of the projector's metrics too."""
    async with asyncio.timeout(STATUS_SECONDS):
        store = runtime.store
        lag = await lag_report(store.status, runtime.events)
        generations = await store.generations.current()
        parked = await store.parking.count()
    reconcile = runtime.reconciler.status.model_copy() if runtime.reconciler is not None else None
    if reconcile is not None and reconcile.state != "ok":  # the store lacks events: never "lag 0"
        lag.lag_events = max(lag.lag_events, reconcile.missing_events)
    runtime.metrics.lag_events.set(lag.lag_events)
    runtime.metrics.lag_seconds.set(lag.lag_seconds)
    runtime.metrics.parked_now.set(parked)
    return ProjectorStatus(
        **lag.model_dump(),
        generation=generations.active,
        rebuilding=generations.building,
        parked=parked,
        reconcile=reconcile,
    )


async def lag_report(board: StatusBoard, log: PostgresEventLog) -> Lag:
    """Position per shard and the lag: events and seconds between the log head and what is applied."""
    # The reconciliation's batches are recorded under a pseudo-shard no consumer holds: not a shard.
    listed = [s for s in await board.shards() if s["_id"] != RECONCILE_SHARD]
    shards = [ShardStatus(shard=s.pop("_id"), **s) for s in listed]
    head, head_at = await log.latest()  # a lag figure need not wait for the appends in flight
    applied = max((s.position for s in shards), default=0)
    lag_events = max(head - applied, 0)
    lag_seconds = 0.0
    if lag_events and head_at is not None:
        applied_at = await log.occurred_at(applied) if applied else None
        behind = head_at - applied_at if applied_at else datetime.now(UTC) - head_at
        lag_seconds = max(behind.total_seconds(), 0.0)
    return Lag(
        log_head=head, applied_position=applied, lag_events=lag_events, lag_seconds=lag_seconds, shards=shards
    )
