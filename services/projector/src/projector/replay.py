"""Replay the event log into a generation, and the zero-downtime rebuild built on it.

Rebuild handover, with never two writers on one generation:
1. a new generation is recorded in the alias document (`rebuild.state = replaying`); readers and live
   consumers keep using the active one;
2. the log is replayed into the new generation by global position (appends commit in parallel, so
   scans stop at a horizon below which every position is final, and skip nothing) until a scan comes
   back short of a chunk: only a short tail is left (waiting for a scan that finds nothing newer would
   never end while commands keep flowing);
3. the rebuild asks for a pause (`pausing`, with a lease): every live projector process finishes its
   batch, stops taking new ones and says so in `projector_processes`; readers are not affected;
4. the events committed since step 2, up to the log horizon read once every consumer has paused (what
   they applied is below it; what comes later waits in their queues), are replayed, and readers are
   switched with one atomic update of the alias document; the consumers then write the new
   generation (their checkpoints are there);
5. after a grace period the old generation is dropped.
If the rebuild dies during the pause, the lease runs out and the consumers abort it and go on.
Replay only writes documents; nothing is ever published, so side effects never fire again.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import structlog

from innkeeper_contracts import EventEnvelope

from .event_log import PostgresEventLog
from .planner import plan_batch
from .ports import DocumentStore, KeyStore, NoKeyStore, WriteConflictError
from .projection.storable import MONGODB_MAX_DOCUMENT_BYTES
from .runtime import Runtime

log = structlog.get_logger("projector.replay")
LEASE_SECONDS = 30.0
PAUSE_TIMEOUT_SECONDS = 30.0
HEARTBEAT_STALE_SECONDS = 3.0


@dataclass
class ReplayResult:
    """How far a replay went and which events it could not apply."""

    position: int = 0
    applied: int = 0
    failed: list[tuple[EventEnvelope, str]] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)
    skipped: frozenset[str] = frozenset()
    """Events an operator gave up on (`dead-letters skip`): counted as applied, never projected."""


async def replay(
    store: DocumentStore,
    generation: str,
    events: PostgresEventLog,
    chunk: int,
    result: ReplayResult | None = None,
    *,
    until: int | None = None,
    near_head: bool = False,
    max_document_bytes: int = MONGODB_MAX_DOCUMENT_BYTES,
    keys: KeyStore | None = None,
) -> ReplayResult:
    """Apply the log after `result.position`, in global order and in chunks: up to position `until`
    when given; with `near_head` until a scan comes back short of a chunk; else until nothing is newer.
    Personal texts are revealed with the data keys `keys` holds now (an erased guest's are gone: a
    replay never brings their data back)."""
    keys = keys or NoKeyStore()
    result = result or ReplayResult()
    while batch := await events.after(result.position, chunk):
        if until is not None and not (batch := [e for e in batch if e.global_position <= until]):
            break
        while True:
            try:
                plan = await plan_batch(
                    store, generation, batch, events, result.blocked, result.skipped, max_document_bytes, keys
                )
                await store.save(generation, plan.changes())
                break
            except WriteConflictError:
                continue  # another writer (never expected here): read the documents again
        for failure in plan.failed:
            result.blocked.add(str(failure.envelope.aggregate_id))  # later events of it wait, as live
            result.failed.append((failure.envelope, failure.reason))
        result.applied += len(plan.applied)
        result.position = batch[-1].global_position
        if near_head and len(batch) < chunk:
            break  # a short tail is left; under steady writes a scan may never come back empty
    return result


async def rebuild(runtime: Runtime, keep_old: bool) -> int:
    settings, registry, documents = runtime.settings, runtime.store.generations, runtime.store.documents
    generation = await registry.start_rebuild()
    print(f"rebuilding into generation {generation}")
    chunk = settings.projector_rebuild_chunk
    start = ReplayResult(skipped=frozenset(await runtime.store.parking.skipped_ids()))
    limit = settings.projector_max_document_bytes
    result = await replay(
        documents,
        generation,
        runtime.events,
        chunk,
        start,
        near_head=True,
        max_document_bytes=limit,
        keys=runtime.keys,
    )
    await registry.request_pause(generation, LEASE_SECONDS)
    paused = await _wait_for_pause(runtime, generation)
    if paused is None:
        await registry.abandon(generation)
        print("live projectors did not pause in time; rebuild abandoned, nothing switched")
        return 1
    print(f"{paused} live projector process(es) paused for the switch")
    head, _ = await runtime.events.head()  # every event the paused consumers applied is at or below it
    result = await replay(
        documents,
        generation,
        runtime.events,
        chunk,
        result,
        until=head,
        max_document_bytes=limit,
        keys=runtime.keys,
    )  # the short tail
    old = await registry.switch(generation)
    if old is None:
        await registry.drop(generation)
        print("the rebuild lease ran out before the switch; rebuild abandoned")
        return 1
    for envelope, reason in result.failed:
        print(f"not applied: {envelope.event_type} {envelope.event_id} ({reason})")
    print(f"replayed {result.applied} events up to position {result.position}; readers now use {generation}")
    if not keep_old and old != generation:
        await asyncio.sleep(settings.projector_drop_grace_seconds)  # let in-flight reads of the old one end
        await registry.drop(old)
        print(f"dropped generation {old}")
    return 0


async def _wait_for_pause(runtime: Runtime, generation: str) -> int | None:
    """How many live projector processes (recent heartbeat) paused for `generation`; None on timeout."""
    deadline = time.monotonic() + PAUSE_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        await runtime.store.generations.extend_lease(generation, LEASE_SECONDS)
        live = await runtime.store.heartbeats.paused_for(HEARTBEAT_STALE_SECONDS)
        if all(paused_for == generation for paused_for in live):
            return len(live)
        await asyncio.sleep(0.1)
    return None
