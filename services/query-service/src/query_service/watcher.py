"""One checkpoint poller per process for every request that waits on a consistency token."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal, Protocol
from uuid import UUID

from innkeeper_kit.tracing import leave_trace

Outcome = Literal["reached", "timeout", "unreachable"]
"""How a wait ended: the checkpoint reached the version; the deadline passed first; or the checkpoint
passed the token's global position with a lower version, which no real token can ask for (the later
versions of an aggregate are appended at later positions), so no wait would end otherwise."""


class CheckpointsReader(Protocol):
    """Reads how far the projector has applied the events of several aggregates: the version and global
    position of the last event applied to each (absent: none yet)."""

    async def checkpoints(self, aggregate_ids: Collection[UUID]) -> dict[UUID, tuple[int, int]]:
        """Version and global position of the last event applied to each aggregate."""


@dataclass(eq=False)
class _Waiter:
    version: int
    position: int
    deadline: float
    answer: asyncio.Future[Outcome] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    ticks: int = 0

    def outcome(self, checkpoint: tuple[int, int] | None, now: float) -> Outcome | None:
        """How the wait ends with this checkpoint, or None while it goes on."""
        if checkpoint is not None and checkpoint[0] >= self.version:
            return "reached"
        if checkpoint is not None and checkpoint[1] >= self.position:
            return "unreachable"
        return "timeout" if now >= self.deadline else None


class CheckpointWatcher:
    """Wakes waiting requests from one task: one `$in` query per tick, however many requests wait.

    The task runs only while someone waits. Every waiter takes part in at least one tick, and is
    answered at the first tick that settles it, or past its deadline (the sleep never overshoots one).
    """

    def __init__(self, reader: CheckpointsReader, interval: float = 0.003) -> None:
        self._reader, self._interval = reader, interval
        self._waiting: dict[UUID, list[_Waiter]] = {}
        self._task: asyncio.Task[None] | None = None

    async def wait(
        self, aggregate_id: UUID, version: int, position: int, deadline: float
    ) -> tuple[Outcome, int]:
        """How waiting for `version` (token position `position`) ended by `deadline` (monotonic), and
        the ticks it took."""
        waiter = _Waiter(version, position, deadline)
        self._waiting.setdefault(aggregate_id, []).append(waiter)
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="checkpoint-watcher")
        try:
            return await waiter.answer, waiter.ticks
        finally:
            self._forget(aggregate_id, waiter)  # answered already, or the request was cancelled

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        leave_trace()  # its reads serve every waiting request, not the one that started it
        try:
            while self._waiting:
                batch = {aggregate: list(waiters) for aggregate, waiters in self._waiting.items()}
                try:
                    checkpoints = await self._reader.checkpoints(list(batch))
                except Exception as error:
                    self._settle(batch, error=error)
                else:
                    self._settle(batch, checkpoints=checkpoints)
                if self._waiting:
                    await asyncio.sleep(self._pause())
        finally:
            self._task = None
            self._settle(self._waiting, error=RuntimeError("checkpoint watcher stopped"))

    def _settle(
        self,
        batch: dict[UUID, list[_Waiter]],
        checkpoints: dict[UUID, tuple[int, int]] | None = None,
        error: BaseException | None = None,
    ) -> None:
        now = time.monotonic()
        for aggregate, waiters in list(batch.items()):
            for waiter in list(waiters):
                if waiter.answer.done():  # the request was cancelled
                    continue
                waiter.ticks += 1
                if error is not None:
                    waiter.answer.set_exception(error)
                elif checkpoints is not None and (ended := waiter.outcome(checkpoints.get(aggregate), now)):
                    waiter.answer.set_result(ended)
                else:
                    continue
                self._forget(aggregate, waiter)  # answered: out of the next tick's query

    def _pause(self) -> float:
        earliest = min(w.deadline for waiters in self._waiting.values() for w in waiters)
        return max(0.0, min(self._interval, earliest - time.monotonic()))

    def _forget(self, aggregate_id: UUID, waiter: _Waiter) -> None:
        waiters = self._waiting.get(aggregate_id, [])
        if waiter in waiters:
            waiters.remove(waiter)
        if not waiters:
            self._waiting.pop(aggregate_id, None)
