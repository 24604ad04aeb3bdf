"""Plan a batch of events for one generation: dedupe, heal gaps, project in memory, report failures.

Nothing is written here; the caller saves the plan's changes (documents first, checkpoints last) or,
when an event failed, decides between another attempt and parking (`Failure.kind` says which a retry
can fix).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Literal, NamedTuple
from uuid import UUID

from innkeeper_contracts import EventEnvelope

from .ports import Changes, Checkpoint, DocumentStore, EventLog, GapNotHealedError, KeyStore, NoKeyStore
from .projection import Needs, ProjectionError, ReadView, apply_event, needs
from .projection.errors import RefusedEventError
from .projection.personal import Keys
from .projection.storable import MONGODB_MAX_DOCUMENT_BYTES
from .projection.view import DocKey

_NO_KEYS = NoKeyStore()


class Failure(NamedTuple):
    """An event of the batch that could not be applied, and whether trying again can help: `retry`
    (the documents as read: again with fresh reads), `gap` (the log may still get the missing events)
    or `refused` (its data breaks the contracts, or its documents would not fit the store: never)."""

    envelope: EventEnvelope
    reason: str
    kind: Literal["retry", "gap", "refused"] = "retry"


@dataclass
class Plan:
    """The outcome of projecting a batch in memory, ready to be saved."""

    view: ReadView
    revisions: dict[DocKey, int]
    checkpoints: dict[str, Checkpoint] = field(default_factory=dict)
    applied: list[EventEnvelope] = field(default_factory=list)
    duplicates: int = 0
    failed: list[Failure] = field(default_factory=list)
    behind: list[EventEnvelope] = field(default_factory=list)
    """Events not applied because an earlier event of their aggregate is parked or failed."""
    versions: dict[str, int] = field(default_factory=dict)
    """Per aggregate of the batch: the version the documents reflect once this plan is saved."""
    known: set[str] = field(default_factory=set)
    """Aggregates that had a checkpoint when the batch read them."""

    @property
    def first(self) -> set[str]:
        """Aggregates whose first checkpoint this plan writes."""
        return self.checkpoints.keys() - self.known

    def changes(self) -> Changes:
        """What saving this plan writes."""
        return Changes(self.view.changed, self.revisions, self.checkpoints, self.first)


async def plan_batch(
    store: DocumentStore,
    generation: str,
    envelopes: Iterable[EventEnvelope],
    log: EventLog | None,
    blocked: set[str] = frozenset(),  # type: ignore[assignment]
    skipped: frozenset[str] = frozenset(),
    max_document_bytes: int = MONGODB_MAX_DOCUMENT_BYTES,
    keys: KeyStore = _NO_KEYS,
) -> Plan:
    """Project `envelopes` (in delivery order) onto the documents of `generation`, revealing personal
    texts with the data keys `keys` holds now."""
    envelopes = list(envelopes)
    # Checkpoints, documents and data keys are read together: what the delivered events need is known
    # before the checkpoints say which of them are duplicates (reading a little more costs less than
    # waiting).
    wanted = _needs_of(e for e in envelopes if str(e.aggregate_id) not in blocked)
    known, (docs, revisions), found = await asyncio.gather(
        store.checkpoints(generation, {str(e.aggregate_id) for e in envelopes}),
        store.load(generation, wanted),
        keys.data_keys(wanted.key_ids),
    )
    versions = {aggregate: checkpoint.version for aggregate, checkpoint in known.items()}
    sequence, behind, healed, duplicates = [], [], [], 0
    gaps: list[Failure] = []
    waiting = set(blocked)  # and those with a gap: their later events wait behind it
    for envelope in envelopes:
        aggregate, version = str(envelope.aggregate_id), envelope.aggregate_version
        current = versions.get(aggregate, 0)
        if aggregate in waiting:
            behind.append(envelope)
        elif version <= current:
            duplicates += 1
        else:
            if version > current + 1:
                try:
                    missing = await _missing(log, aggregate, current, version)
                except GapNotHealedError as gap:
                    gaps.append(Failure(envelope, str(gap), "gap"))
                    waiting.add(aggregate)
                    continue
                sequence += missing
                healed += missing
            sequence.append(envelope)
            versions[aggregate] = version
    if healed:  # events read from the log to fill a gap may need more documents and keys
        more_needs = _needs_of(healed)
        (more, more_revisions), more_found = await asyncio.gather(
            store.load(generation, more_needs), keys.data_keys(more_needs.key_ids - wanted.key_ids)
        )
        docs, revisions = more | docs, more_revisions | revisions
        wanted.key_ids |= more_needs.key_ids
        found |= more_found
    view = ReadView(docs, _loaded(wanted.key_ids, found))
    plan = Plan(view, revisions, duplicates=duplicates, failed=gaps, behind=behind)
    plan.versions = {aggregate: checkpoint.version for aggregate, checkpoint in known.items()}
    plan.known = set(known)
    _project(plan, sequence, skipped, max_document_bytes)
    return plan


async def _missing(log: EventLog | None, aggregate: str, current: int, version: int) -> list[EventEnvelope]:
    """The events between the checkpoint and a delivered event: never skipped, read from the log."""
    if log is None:
        raise GapNotHealedError(f"aggregate {aggregate}: gap {current}..{version} and no event log")
    missing = await log.between(aggregate, current, version)
    if [e.aggregate_version for e in missing] != list(range(current + 1, version)):
        raise GapNotHealedError(
            f"aggregate {aggregate}: event log lacks versions {current + 1}..{version - 1}"
        )
    return missing


def _loaded(asked: set[UUID], found: dict[UUID, bytes]) -> Keys:
    """Every key asked for: the ones the key store did not return no longer exist (erased)."""
    return {key_id: found.get(key_id) for key_id in asked}


def _needs_of(envelopes: Iterable[EventEnvelope]) -> Needs:
    total = Needs()
    for envelope in envelopes:
        with suppress(ProjectionError):  # reported when the event is applied
            total.merge(needs(envelope))
    return total


def _project(plan: Plan, sequence: list[EventEnvelope], skipped: frozenset[str], limit: int) -> None:
    stopped: set[str] = set()
    for envelope in sequence:
        aggregate = str(envelope.aggregate_id)
        if aggregate in stopped:
            plan.behind.append(envelope)
            continue
        try:
            if str(envelope.event_id) not in skipped:
                apply_event(plan.view, envelope, limit)
        except ProjectionError as error:
            kind: Literal["retry", "refused"] = "refused" if isinstance(error, RefusedEventError) else "retry"
            plan.failed.append(Failure(envelope, str(error), kind))
            stopped.add(aggregate)
            continue
        plan.applied.append(envelope)
        plan.checkpoints[aggregate] = Checkpoint(envelope.aggregate_version, envelope.global_position)
        plan.versions[aggregate] = envelope.aggregate_version
    plan.view.release()
