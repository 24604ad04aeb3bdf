"""Write one batch of a shard, all or nothing: plan, park what keeps failing, save, record the position.

Documents are written before checkpoints, and every write is idempotent, so a crash anywhere leaves
a state that the redelivered batch brings to the same result. The caller acks only after `write`.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import structlog

from innkeeper_contracts import EventEnvelope

from .bookkeeping import log_applied, record_batch
from .metrics import Metrics
from .planner import Plan, plan_batch
from .ports import EventLog, Generations, KeyStore, NoKeyStore, ReadStore, WriteConflictError
from .projection.storable import MONGODB_MAX_DOCUMENT_BYTES
from .rebuild_pause import RebuildPause
from .retries import Attempts, Patience, retry_or_park
from .shard_cache import CachedStore
from .spans import BatchSpans

log = structlog.get_logger("projector.processor")  # the name its log lines always had


@dataclass
class BatchWriter:
    """Writes batches of shards to the active generation (a rebuild waits for its pause to switch)."""

    store: ReadStore
    events: EventLog
    patience: Patience = field(default_factory=Patience)
    pause: RebuildPause | None = None
    """The process's rebuild pause: its last reading of the generations spares one read per batch."""
    max_document_bytes: int = MONGODB_MAX_DOCUMENT_BYTES
    metrics: Metrics = field(default_factory=Metrics)
    keys: KeyStore = field(default_factory=NoKeyStore)
    """The guests' data keys, read for each plan (never cached: an erasure holds from the next batch)."""
    _stores: dict[str, CachedStore] = field(default_factory=dict)
    """Per shard: its documents and checkpoints as this process last read or wrote them."""
    written_at: float = field(default_factory=time.monotonic)
    """When a batch was last written (monotonic): the reconciliation waits for a quiet moment."""

    async def write(
        self, shard: str, envelopes: list[EventEnvelope], spans: BatchSpans | None = None
    ) -> None:
        """`spans` (tracing on): each applied event is logged under its span."""
        attempts = Attempts()
        self.written_at = time.monotonic()
        while True:
            try:
                if await self._attempt(shard, envelopes, attempts, spans):
                    return
            except WriteConflictError as conflict:
                log.info("write conflict, applying the batch again", shard=shard, reason=str(conflict))

    async def _attempt(
        self, shard: str, envelopes: list[EventEnvelope], attempts: Attempts, spans: BatchSpans | None
    ) -> bool:
        store = self._stores.setdefault(shard, CachedStore(self.store.documents))
        try:
            return await self._apply(shard, store, envelopes, attempts, spans)
        except BaseException:
            store.clear()  # whatever went wrong, the next attempt reads the documents afresh
            raise

    async def _apply(
        self,
        shard: str,
        store: CachedStore,
        envelopes: list[EventEnvelope],
        attempts: Attempts,
        spans: BatchSpans | None,
    ) -> bool:
        aggregates = {str(e.aggregate_id) for e in envelopes}
        guess = store.generation
        generations, (only_mine, blocked, retrying), planned = await asyncio.gather(
            self._generations(),
            self._shard_state(shard, aggregates),
            self._plan_ahead(store, guess, envelopes),
        )
        if not only_mine:
            store.clear()  # another consumer wrote this shard since our last batch
        if planned is None or not only_mine or blocked or guess != generations.active:
            planned = await self._plan(store, generations.active, envelopes, blocked)
        active = planned
        headers = spans.headers if spans is not None else None  # kept with what is parked
        if active.failed:
            parked = await retry_or_park(self.store.parking, self.patience, shard, active, attempts, headers)
            self.metrics.parked.inc(parked)
            return False
        recorded: list[bool] = []

        async def bookkeeping() -> None:  # with the checkpoints: none of it may run ahead of the documents
            batch = (shard, active, len(envelopes), retrying, headers)
            recorded.append(await record_batch(self.store.parking, self.store.status, *batch))

        changes = active.changes()
        written = await store.save(generations.active, changes, alongside=bookkeeping)
        if not recorded[0]:
            store.clear()  # another consumer recorded a batch of this shard since our last one
        self.metrics.record(shard, active)
        self.metrics.record_written(written)
        log_applied(shard, active, spans)
        return True

    def forget(self) -> None:
        """Drop what every shard's cache holds: the store may have lost what this process wrote."""
        for store in self._stores.values():
            store.clear()

    async def _generations(self) -> Generations:
        """As the rebuild pause last read them, when that is recent: a switch of generations waits for
        every live process to pause, and the pause of this one (open: a batch is in progress) reads
        the switch before it opens again. Otherwise (no pause, a stalled process) read afresh."""
        if self.pause is not None and (known := self.pause.recent_generations()) is not None:
            return known
        return await self.store.generations.current()

    async def _shard_state(
        self, shard: str, aggregates: set[str]
    ) -> tuple[bool, set[str], dict[str, tuple[str, int]]]:
        """Whether the cache is still ours, and what of the batch is parked or being retried."""
        only_mine, parking_changes = await self.store.status.only_mine_since(shard)
        blocked, retrying = await self.store.parking.blocked(aggregates, shard, parking_changes)
        return only_mine, blocked, retrying

    async def _plan_ahead(
        self, store: CachedStore, generation: str | None, envelopes: list[EventEnvelope]
    ) -> Plan | None:
        """The plan as it will most likely be (same generation, nothing parked, the cache still ours),
        made while those are checked: it saves a round trip; a wrong guess only costs a second plan."""
        if generation is None:
            return None
        try:
            return await self._plan(store, generation, envelopes, set())
        except Exception:  # planned again for real; a lasting error surfaces there
            return None

    async def _plan(
        self, store: CachedStore, generation: str, envelopes: list[EventEnvelope], blocked: set[str]
    ) -> Plan:
        limit, keys = self.max_document_bytes, self.keys
        return await plan_batch(
            store, generation, envelopes, self.events, blocked, max_document_bytes=limit, keys=keys
        )
