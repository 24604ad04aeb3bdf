"""What `/status` answers and `/metrics` samples: the projector's position and lag behind the event log,
the generations readers use, and the parking lot size. Bounded in time: the MongoDB driver alone would
wait 30 s to select a server that is down."""

from __future__ import annotations

import asyncio

from .bootstrap import Projector
from .status import Lag, lag_report

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
}


class ProjectorStatus(Lag):
    """The projector's position and lag, the generation readers use, and the parking lot size."""

    generation: str
    rebuilding: str | None
    parked: int


async def status_report(projector: Projector) -> ProjectorStatus:
    """The status now; it refreshes the lag and parking gauges of the projector's metrics too."""
    async with asyncio.timeout(STATUS_SECONDS):
        parts = projector.parts
        lag = await lag_report(parts.status, parts.events)
        generations = await parts.registry.current()
        parked = await parts.parking.count()
    projector.metrics.lag_events.set(lag.lag_events)
    projector.metrics.lag_seconds.set(lag.lag_seconds)
    projector.metrics.parked_now.set(parked)
    return ProjectorStatus(
        **lag.model_dump(), generation=generations.active, rebuilding=generations.building, parked=parked
    )
