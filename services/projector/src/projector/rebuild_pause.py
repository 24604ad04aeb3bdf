"""One projector process's pause for a rebuild: no batch is written while a rebuild replays the last
events and switches readers.

Every second the process writes a heartbeat. When the alias document asks for a pause, writing stops,
the pause waits until no batch is in flight, and records `paused_for` in the heartbeat; the rebuild
waits for that from every live process, so it is then the only writer. Writing starts again when the
rebuild has switched readers, or when its lease ran out (rebuild died).
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import structlog

from .ports import GenerationRegistry, Generations, Heartbeats

RECENT_SECONDS = 0.5
"""A reading of the generations younger than this stands in for a read of its own (checks run every
0.25 s; the rebuild takes a process for dead after 3 s without a heartbeat, written every second)."""
log = structlog.get_logger("projector.gate")  # the name its log lines always had


class RebuildPause:
    """Shard workers `enter` before a batch and `leave` after its ack; a pause waits for them."""

    def __init__(self, registry: GenerationRegistry, heartbeats: Heartbeats) -> None:
        self.registry = registry
        self.heartbeats = heartbeats
        self.open = asyncio.Event()
        self.idle = asyncio.Event()
        self.busy = 0
        self.paused_for: str | None = None
        self.generations: Generations | None = None
        self.read_at = 0.0

    async def enter(self) -> None:
        await self.open.wait()
        self.busy += 1
        self.idle.clear()

    def leave(self) -> None:
        self.busy -= 1
        if self.busy == 0:
            self.idle.set()

    def recent_generations(self) -> Generations | None:
        """The generations as the last check read them, if writing is open and that was recent."""
        if self.open.is_set() and time.monotonic() - self.read_at < RECENT_SECONDS:
            return self.generations
        return None

    async def check(self) -> None:
        """Follow the alias document: close for a pause, open after the switch or an expired lease."""
        read_at = time.monotonic()
        generations = await self.registry.current()
        self.generations, self.read_at = generations, read_at
        building = generations.building
        if generations.pausing and building:
            lease = generations.lease_until
            if lease is not None and lease.astimezone(UTC) < datetime.now(UTC):
                await self.registry.abort_expired(building)
                log.warning("rebuild lease expired; writing again", generation=building)
            else:
                await self._pause(building)
                return
        if self.paused_for or not self.open.is_set():
            log.info("writing", generation=generations.active)
        self.paused_for = None
        self.open.set()

    async def _pause(self, generation: str) -> None:
        if self.paused_for != generation:
            self.open.clear()
            if self.busy:
                self.idle.clear()
                await self.idle.wait()
            self.paused_for = generation
            log.info("paused for a rebuild switch", generation=generation)
        await self.heartbeat()

    async def heartbeat(self) -> None:
        await self.heartbeats.beat(self.paused_for)

    async def run(self, interval: float = 0.25) -> None:
        """Check the alias and beat, forever (errors are logged; the pause keeps its last state)."""
        beats = 0
        while True:
            try:
                await self.check()
                beats += 1
                if beats % 4 == 0:
                    await self.heartbeat()
            except Exception:
                log.exception("rebuild pause check failed")
            await asyncio.sleep(interval)
