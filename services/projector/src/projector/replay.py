"""Replay the event log into a generation, and the zero-downtime rebuild built on it.

Rebuild handover: (1) a new generation is announced in `read_model_generations` (`_id: "rebuild"`),
from then on every live batch is written to it too (checkpoint-guarded, gaps healed from the log);
(2) the log is replayed into it by global position until a scan finds nothing newer, so every event
committed before the end of the replay is in it and every later one reaches it through a live
consumer; (3) readers are switched with one update of the alias document; (4) after a grace period
the old generation is dropped. Replay and live writers may touch the same documents: writes are
compare-and-swap on a revision and a conflict re-applies the batch, so both can run at once.
Replay only writes documents; nothing is ever published, so side effects never fire again.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import structlog

from innkeeper_contracts import EventEnvelope

from .applier import plan_batch
from .bootstrap import Components
from .event_log import PostgresEventLog
from .ports import DocumentStore, WriteConflictError

log = structlog.get_logger("projector.replay")


@dataclass
class ReplayResult:
    """How far a replay went and which events it could not apply."""

    position: int = 0
    applied: int = 0
    failed: list[tuple[EventEnvelope, str]] = field(default_factory=list)


async def replay(store: DocumentStore, generation: str, events: PostgresEventLog, chunk: int) -> ReplayResult:
    """Apply the whole log, in global order and in chunks, until a scan finds no newer event."""
    result = ReplayResult()
    blocked: set[str] = set()
    while batch := await events.after(result.position, chunk):
        while True:
            try:
                plan = await plan_batch(store, generation, batch, events, blocked)
                await store.save(generation, plan.view.changed, plan.revisions, plan.checkpoints)
                break
            except WriteConflictError:
                continue  # a live consumer wrote the same documents: read them again
        for envelope, reason in plan.failed:
            blocked.add(str(envelope.aggregate_id))  # later events of it wait, as they do live
            result.failed.append((envelope, reason))
        result.applied += len(plan.applied)
        result.position = batch[-1].global_position
    return result


async def rebuild(parts: Components, keep_old: bool) -> int:
    settings, registry = parts.settings, parts.registry
    previous = await registry.current()
    if previous.building:
        await registry.abandon_rebuild(previous.building)  # an interrupted rebuild starts over
    generation = await registry.start_rebuild()
    print(f"rebuilding into generation {generation}")
    result = await replay(parts.store, generation, parts.events, settings.projector_rebuild_chunk)
    for envelope, reason in result.failed:
        print(f"not applied: {envelope.event_type} {envelope.event_id} ({reason})")
    old = await registry.switch(generation)
    print(f"replayed {result.applied} events up to position {result.position}; readers now use {generation}")
    if not keep_old and old != generation:
        await asyncio.sleep(settings.projector_drop_grace_seconds)  # let in-flight reads of the old one end
        await registry.drop(old)
        print(f"dropped generation {old}")
    return 0
