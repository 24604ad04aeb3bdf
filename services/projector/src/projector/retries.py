"""When a failing event is parked: how long it may hold its shard, and the attempts that count it."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import structlog

from innkeeper_contracts import EventEnvelope

from .planner import Failure, Plan
from .ports import Kind, ParkingLot

log = structlog.get_logger("projector.processor")  # the name its log lines always had


@dataclass(frozen=True)
class Patience:
    """How long a failing event holds its shard before it is parked."""

    max_attempts: int = 3
    """Tries of an event whose projection fails on the documents as read (each with fresh reads)."""
    gap_wait_seconds: float = 10.0
    """How long the event log may take to show the versions missing before a delivered event."""


@dataclass
class Attempts:
    """Per event of one batch: how often it failed, and when it first did."""

    counts: Counter[str] = field(default_factory=Counter)
    since: dict[str, float] = field(default_factory=dict)

    def record(self, envelope: EventEnvelope) -> tuple[int, float]:
        """Count a failure; returns the count and the seconds since the first one."""
        event_id = str(envelope.event_id)
        self.counts[event_id] += 1
        first = self.since.setdefault(event_id, time.monotonic())
        return self.counts[event_id], time.monotonic() - first


async def retry_or_park(
    parking: ParkingLot,
    patience: Patience,
    shard: str,
    plan: Plan,
    attempts: Attempts,
    traceparents: Mapping[str, str] | None = None,
) -> int:
    """Park what no retry can fix (refused at once, a gap past its wait, a failure at its last attempt);
    otherwise wait a little: the caller applies the batch again, with the documents read afresh.
    Returns how many events it parked."""
    to_park: list[tuple[Failure, int]] = []
    for failure in plan.failed:
        count, waited = attempts.record(failure.envelope)
        log.warning(
            "event failed",
            event_id=str(failure.envelope.event_id),
            correlation_id=failure.envelope.correlation_id,
            attempt=count,
            reason=failure.reason,
        )
        if failure.kind == "gap" and waited >= patience.gap_wait_seconds:
            failure = failure._replace(reason=f"gap not healed after {waited:.0f} s: {failure.reason}")
        elif failure.kind == "gap" or (failure.kind == "retry" and count < patience.max_attempts):
            continue
        to_park.append((failure, count))
    for failure, count in to_park:  # rare: one write per parked event, in the batch's order
        entry: tuple[EventEnvelope, Kind, str] = (failure.envelope, "failed", failure.reason)
        await parking.park([entry], shard, attempts=count, traceparents=traceparents)
    if not to_park:
        await asyncio.sleep(min(0.05 * max(attempts.counts.values()), 1.0))
    return len(to_park)
