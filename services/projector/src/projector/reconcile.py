"""Reconcile the read store with the event log: find the events the store lost, and apply them again.

The broker forgets what the projector acked, so when the store loses acknowledged writes (restored
from an older snapshot, an unjournaled crash, a dropped collection) nothing is redelivered. Compared
per aggregate: the checkpoint the store holds against the highest version in the log up to the
horizon; an aggregate with parked or retried events is the parking lot's, not ours. Events still on
their way (a queue's backlog at start, the outbox) look missing too, so the comparison waits for a quiet
moment — no batch written by this process for a grace period (at most `QUIET_LIMIT` graces: under a
load that never pauses it compares anyway) — and a shortfall is looked at again after another quiet
grace; only what is still missing then is applied (applying a backlog still queued would apply it twice
for nothing: measured in the scale-out tests). It is read from the log, in position order, through
the live writer (`BatchWriter`: same planner, idempotent writes, the same parking rules), under the
pseudo-shard `reconcile`, inside the rebuild pause. It may write while a shard's consumer writes the
same documents: every write compares and swaps (`shard_cache`), so one of them applies again, never
lost. A store that holds a checkpoint but lost the documents behind it is beyond this check: `verify`.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import structlog
from pydantic import BaseModel

from innkeeper_contracts import EventEnvelope
from innkeeper_contracts.documents import CHECKPOINTS

from .metrics import Metrics
from .ports import ReadStore, ReconciledLog
from .rebuild_pause import RebuildPause
from .writer import BatchWriter

log = structlog.get_logger("projector.reconcile")
QUIET_LIMIT = 12
"""Graces to wait for a quiet moment before comparing anyway."""
RECONCILE_SHARD = "reconcile"
"""The name its batches are recorded and parked under (it applies aggregates of every shard)."""


class ReconcileStatus(BaseModel):
    """What `/status` says of the store against the log: `behind` (the store lacks `missing_events`
    that the log holds), `repairing` (applying them again), or `ok`."""

    state: Literal["ok", "behind", "repairing"] = "ok"
    missing_events: int = 0
    last_run: datetime | None = None
    reason: str | None = None
    repaired_events: int = 0
    """Applied again from the log since this process started."""


@dataclass
class Shortfall:
    """Per aggregate the store is behind on: the version it holds and the version the log has."""

    held: dict[str, int]
    wanted: dict[str, int]

    @property
    def events(self) -> int:
        return sum(self.wanted[a] - v for a, v in self.held.items())


class Reconciler:
    """Runs one reconciliation at a time, whenever `request`ed (at start, after a store outage)."""

    def __init__(
        self,
        store: ReadStore,
        events: ReconciledLog,
        writer: BatchWriter,
        pause: RebuildPause,
        metrics: Metrics,
        grace: float = 5.0,
        chunk: int = 500,
    ) -> None:
        self.store, self.events, self.writer, self.pause = store, events, writer, pause
        self.metrics, self.grace, self.chunk = metrics, grace, chunk
        self.status = ReconcileStatus()
        self.wanted = asyncio.Event()
        self.reason = "start"

    def request(self, reason: str) -> None:
        self.reason = reason
        self.wanted.set()

    async def run(self, retry_after: float = 1.0) -> None:
        """Reconcile on every request; a failed run (the store or the log is down) is tried again."""
        delay = retry_after
        while True:
            await self.wanted.wait()
            self.wanted.clear()
            try:
                await self.reconcile(self.reason)
                delay = retry_after
            except Exception:
                log.exception("reconcile.failed", reason=self.reason, retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                self.wanted.set()

    async def reconcile(self, reason: str) -> int:
        """Compare, wait out the grace, compare again and apply what is still missing; returns how many
        events were applied again."""
        await self.settle(self.grace)
        horizon = await self.events.horizon()
        shortfall = await self._shortfall(horizon)
        self._report("behind" if shortfall.held else "ok", shortfall.events, reason)
        if not shortfall.held:
            return 0
        log.warning(
            "reconcile.behind", reason=reason, aggregates=len(shortfall.held), events=shortfall.events
        )
        await self.settle(self.grace, at_least=self.grace)  # a full grace in "behind", quiet or not
        shortfall = await self._still(shortfall)
        self._report("repairing" if shortfall.held else "ok", shortfall.events, reason)
        if not shortfall.held:
            return 0
        missing = await self.events.newer_than(shortfall.held, horizon)
        self.writer.forget()  # a cache may hold what the store lost
        for start in range(0, len(missing), self.chunk):
            batch = missing[start : start + self.chunk]
            await self._apply(batch)
            self.status.missing_events = max(self.status.missing_events - len(batch), 0)
        self.status.repaired_events += len(missing)
        self.metrics.reconciled.inc(len(missing))
        log.warning("reconcile.repaired", reason=reason, events=len(missing), aggregates=len(shortfall.held))
        self._report("ok", 0, reason)
        return len(missing)

    async def settle(self, seconds: float, at_least: float = 0.0) -> None:
        """Wait `at_least`, then until this process wrote no batch for `seconds` (at most `QUIET_LIMIT`
        times that): what was on its way (a queue, the outbox) arrives the ordinary way first."""
        await asyncio.sleep(at_least)
        deadline = time.monotonic() + seconds * QUIET_LIMIT
        while (quiet := time.monotonic() - self.writer.written_at) < seconds:
            if time.monotonic() >= deadline:
                return
            await asyncio.sleep(min(seconds - quiet, deadline - time.monotonic(), 1.0))

    async def _apply(self, batch: list[EventEnvelope]) -> None:
        await self.pause.enter()  # no write while a rebuild switches generations
        try:
            await self.writer.write(RECONCILE_SHARD, batch)
        finally:
            self.pause.leave()

    async def _shortfall(self, horizon: int) -> Shortfall:
        wanted = await self.events.versions_at(horizon)
        generation = (await self.store.generations.current()).active
        held = await self.store.documents.contents(generation, CHECKPOINTS)
        behind = {a: int(held[a]["version"]) if a in held else 0 for a in wanted}
        return await self._unparked(Shortfall({a: v for a, v in behind.items() if v < wanted[a]}, wanted))

    async def _still(self, shortfall: Shortfall) -> Shortfall:
        generation = (await self.store.generations.current()).active
        held = await self.store.documents.checkpoints(generation, shortfall.held)
        behind = {a: held[a].version if a in held else 0 for a in shortfall.held}
        wanted = shortfall.wanted
        return await self._unparked(Shortfall({a: v for a, v in behind.items() if v < wanted[a]}, wanted))

    async def _unparked(self, shortfall: Shortfall) -> Shortfall:
        """Without the aggregates the parking lot holds (parked, or sent again by an operator)."""
        if not shortfall.held:
            return shortfall
        blocked, retrying = await self.store.parking.blocked(shortfall.held)
        waiting = blocked | {aggregate for aggregate, _ in retrying.values()}
        held = {a: v for a, v in shortfall.held.items() if a not in waiting}
        return Shortfall(held, shortfall.wanted)

    def _report(self, state: Literal["ok", "behind", "repairing"], missing: int, reason: str) -> None:
        self.status.state, self.status.missing_events = state, missing
        self.status.last_run, self.status.reason = datetime.now(UTC), reason
        self.metrics.reconcile_missing.set(missing)
