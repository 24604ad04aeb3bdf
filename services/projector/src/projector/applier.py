"""Apply a batch of events to one generation: dedupe, heal gaps, project in memory, report failures.

Nothing is written here; the caller saves the view (documents first, checkpoints last) or, when an
event failed, decides between another attempt and parking.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field

from innkeeper_contracts import EventEnvelope

from .ports import Checkpoint, DocumentStore, EventLog, GapNotHealedError
from .projection import Needs, ProjectionError, ReadView, apply_event, needs
from .projection.view import DocKey


@dataclass
class Plan:
    """The outcome of projecting a batch in memory, ready to be saved."""

    view: ReadView
    revisions: dict[DocKey, int]
    checkpoints: dict[str, Checkpoint] = field(default_factory=dict)
    applied: list[EventEnvelope] = field(default_factory=list)
    duplicates: int = 0
    failed: list[tuple[EventEnvelope, str]] = field(default_factory=list)
    behind: list[EventEnvelope] = field(default_factory=list)
    """Events not applied because an earlier event of their aggregate is parked or failed."""
    versions: dict[str, int] = field(default_factory=dict)
    """Per aggregate of the batch: the version the documents reflect once this plan is saved."""


async def plan_batch(
    store: DocumentStore,
    generation: str,
    envelopes: Iterable[EventEnvelope],
    log: EventLog | None,
    blocked: set[str] = frozenset(),  # type: ignore[assignment]
    skipped: frozenset[str] = frozenset(),
) -> Plan:
    """Project `envelopes` (in delivery order) onto the documents of `generation`."""
    envelopes = list(envelopes)
    known = await store.checkpoints(generation, {str(e.aggregate_id) for e in envelopes})
    versions = {aggregate: checkpoint.version for aggregate, checkpoint in known.items()}
    sequence, behind, duplicates = [], [], 0
    for envelope in envelopes:
        aggregate, version = str(envelope.aggregate_id), envelope.aggregate_version
        current = versions.get(aggregate, 0)
        if aggregate in blocked:
            behind.append(envelope)
        elif version <= current:
            duplicates += 1
        else:
            if version > current + 1:
                sequence += await _missing(log, aggregate, current, version)
            sequence.append(envelope)
            versions[aggregate] = version
    docs, revisions = await store.load(generation, _needs_of(sequence))
    plan = Plan(ReadView(docs), revisions, duplicates=duplicates, behind=behind)
    plan.versions = {aggregate: checkpoint.version for aggregate, checkpoint in known.items()}
    _project(plan, sequence, skipped)
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


def _needs_of(sequence: list[EventEnvelope]) -> Needs:
    total = Needs()
    for envelope in sequence:
        with suppress(ProjectionError):  # reported when the event is applied
            total.merge(needs(envelope))
    return total


def _project(plan: Plan, sequence: list[EventEnvelope], skipped: frozenset[str]) -> None:
    stopped: set[str] = set()
    for envelope in sequence:
        aggregate = str(envelope.aggregate_id)
        if aggregate in stopped:
            plan.behind.append(envelope)
            continue
        try:
            if str(envelope.event_id) not in skipped:
                apply_event(plan.view, envelope)
        except ProjectionError as error:
            plan.failed.append((envelope, str(error)))
            stopped.add(aggregate)
            continue
        plan.applied.append(envelope)
        plan.checkpoints[aggregate] = Checkpoint(envelope.aggregate_version, envelope.global_position)
        plan.versions[aggregate] = envelope.aggregate_version
    plan.view.release()
