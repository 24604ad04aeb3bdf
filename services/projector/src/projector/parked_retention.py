"""Retention of the parking lot: what an entry holds that may be personal data is kept for
`PROJECTOR_PARKED_RETENTION_DAYS`, then removed by a sweep each process runs.

A parked event holds the event's data (personal texts sealed under the guest's key, so an erasure makes
them unreadable at once — but events logged before sealing hold them in clear) and a reason that may
quote values; a malformed message holds whatever body it came with. At the end of the retention an
event's entry keeps only what the order of its aggregate and the operator need (it still blocks its
aggregate until retried or skipped, and a skipped event stays skipped in a rebuild): its data and the
details of its reason go. A malformed message, never applied and never retried, is deleted.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import structlog

from .ports import ParkingLot

log = structlog.get_logger("projector.retention")
SWEEPS_PER_RETENTION = 10
"""How often within one retention period the lot is swept (an entry lives at most 10 % longer)."""
LONGEST_PAUSE_SECONDS = 3600.0
SHORTEST_PAUSE_SECONDS = 1.0


class ParkedRetention:
    """Sweeps the parking lot now and then (at start, then every tenth of the retention, at most hourly)."""

    def __init__(self, parking: ParkingLot, days: float) -> None:
        self.parking, self.retention = parking, timedelta(days=days)
        seconds = self.retention.total_seconds() / SWEEPS_PER_RETENTION
        self.pause = min(max(seconds, SHORTEST_PAUSE_SECONDS), LONGEST_PAUSE_SECONDS)

    async def run(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:  # the store is down: the next sweep tries again
                log.warning("retention.sweep_failed", exc_info=True)
            await asyncio.sleep(self.pause)

    async def sweep(self) -> tuple[int, int]:
        """(entries of events emptied, malformed messages deleted) by this sweep."""
        days = self.retention.total_seconds() / 86400
        note = f"details removed after the retention of {days:g} days (PROJECTOR_PARKED_RETENTION_DAYS)"
        emptied, deleted = await self.parking.expire(datetime.now(UTC) - self.retention, note)
        if emptied or deleted:
            log.info("retention.swept", events_emptied=emptied, messages_deleted=deleted)
        return emptied, deleted
