"""Notice when the read store may have lost writes, and ask for a reconciliation (`reconcile.py`).

Three signals, each one cheap query a second: the store did not answer and answers again (an outage);
the server process changed (`hello`'s process id: a restart or a failover, however short); or a shard's
status counts fewer batches than this process recorded there (the count only goes up, so the store lost
acknowledged writes). Each drops what this process remembers of the store (its shard caches, its batch
counts) before the reconciliation runs.
"""

from __future__ import annotations

import asyncio

import structlog

from .failures import Failures
from .ports import ReadStore
from .reconcile import Reconciler
from .writer import BatchWriter

log = structlog.get_logger("projector.reconcile")
PROBE_SECONDS = 2.0
"""The longest a probe waits: the driver alone would wait 30 s to select a server that is down."""


class StoreWatch:
    def __init__(
        self, store: ReadStore, writer: BatchWriter, reconciler: Reconciler, failures: Failures
    ) -> None:
        self.store, self.writer, self.reconciler, self.failures = store, writer, reconciler, failures
        self.identity: str | None = None
        self.down = False

    async def run(self, interval: float = 1.0) -> None:
        while True:
            await asyncio.sleep(interval)
            await self.check()

    async def check(self) -> str | None:
        """Probe the store once; the reason a reconciliation was requested, if one was."""
        try:
            async with asyncio.timeout(PROBE_SECONDS):
                identity = await self.store.connection.identity()
                lost = await self.store.status.lost_since_recorded()
        except self.failures.infrastructure:  # a timeout too: TimeoutError is an OSError
            if not self.down:
                log.warning("store.unreachable")
            self.down = True
            return None
        reason = None
        if self.down:
            reason = "store reachable again"
        elif self.identity is not None and identity != self.identity:
            reason = "store restarted"
        elif lost:
            reason = f"store lost writes of {', '.join(sorted(lost))}"
        self.down, self.identity = False, identity
        if reason is not None:
            log.warning("store.changed", reason=reason)
            self.store.status.forget()
            self.writer.forget()
            self.reconciler.request(reason)
        return reason
