"""Two projector processes share the shards (each lets go of those beyond its fair share), every event
is applied once and in order; when one is SIGKILLed the other takes every shard and finishes."""

from __future__ import annotations

import asyncio
import socket
from collections import Counter
from pathlib import Path

import orjson
from projector_kit import Bus, ReadModel, assert_verified, start_projector
from story import Story
from testkit.services import ServiceProcess
from testkit.waiting import wait_until

from innkeeper_contracts import EventEnvelope

Applied = list[tuple[str, str, int]]
"""(shard, aggregate id, aggregate version) of each `event.applied` line, in the order written."""


async def test_two_projectors_each_apply_some_shards_and_every_event_once_in_order(
    bus: Bus,
    read_model: ReadModel,
    projector_env: dict[str, str],
    log_dir: Path,
    projectors: list[ServiceProcess],
) -> None:
    env = {**projector_env, "PROJECTOR_BATCH_SIZE": "20"}
    story = Story(seed=8).generate(hotels=24, steps=1200)
    bus.append(story.events)
    first = start_projector(env, log_dir, projectors)  # first in line on every shard
    second = start_projector(env, log_dir, projectors)
    await _publish_slowly(bus, story.events)

    await wait_until(lambda: read_model.checkpoints() == story.versions, seconds=60, what="all applied")
    await wait_until(lambda: read_model.deliveries() >= bus.published, what="every delivery processed")
    assert first.terminate() == 0  # its log complete
    assert second.terminate() == 0
    applied = [applied_events(first), applied_events(second)]
    shards = [{shard for shard, _, _ in events} for events in applied]
    assert all(shards), f"each applies some shards: {shards}"
    once = Counter((aggregate, version) for events in applied for _, aggregate, version in events)
    assert once == Counter((str(e.aggregate_id), e.aggregate_version) for e in story.events)
    for events in applied:
        assert_in_order(events)
    await assert_verified(env)


async def test_a_killed_projector_leaves_every_shard_to_the_other(
    bus: Bus,
    read_model: ReadModel,
    projector_env: dict[str, str],
    log_dir: Path,
    projectors: list[ServiceProcess],
) -> None:
    env = {**projector_env, "PROJECTOR_BATCH_SIZE": "20"}
    story = Story(seed=9).generate(hotels=24, steps=1200)
    bus.append(story.events)
    first = start_projector(env, log_dir, projectors)
    second = start_projector(env, log_dir, projectors)
    half = len(story.events) // 2
    publishing = asyncio.create_task(_publish_slowly(bus, story.events[:half]))
    both = {_consumer(first), _consumer(second)}
    await wait_until(lambda: both <= _shard_consumers(read_model), seconds=30, what="both applying")
    await publishing
    first.kill()  # its unacked deliveries go to the other, which is in line on every shard
    await _publish_slowly(bus, story.events[half:])

    await wait_until(lambda: read_model.checkpoints() == story.versions, seconds=60, what="all applied")
    await wait_until(lambda: read_model.deliveries() >= bus.published, what="every delivery processed")
    last_writers = {doc["_id"]: doc["consumer"] for doc in read_model.database["projector_status"].find({})}
    assert last_writers == {f"shard-{i}": _consumer(second) for i in range(4)}
    assert second.terminate() == 0
    assert_in_order(applied_events(second))
    await assert_verified(env)


def applied_events(process: ServiceProcess) -> Applied:
    lines = (orjson.loads(line) for line in process.logs().splitlines() if '"event.applied"' in line)
    return [(d["shard"], d["aggregate_id"], d["aggregate_version"]) for d in lines]


def assert_in_order(events: Applied) -> None:
    """Each aggregate's versions, as one process applied them, only go up."""
    last: dict[str, int] = {}
    for _, aggregate, version in events:
        assert version > last.get(aggregate, 0), (aggregate, version)
        last[aggregate] = version


def _consumer(process: ServiceProcess) -> str:
    assert process.process is not None
    return f"{socket.gethostname()}:{process.process.pid}"  # as the shard status names it


def _shard_consumers(read_model: ReadModel) -> set[str]:
    return {doc.get("consumer", "") for doc in read_model.database["projector_status"].find({})}


async def _publish_slowly(bus: Bus, events: list[EventEnvelope]) -> None:
    """A stream, not a burst: the processes have seconds to balance while every shard gets events."""
    for start in range(0, len(events), 20):
        await bus.publish(events[start : start + 20])
        await asyncio.sleep(0.1)


async def _verify(env: dict[str, str]) -> None:
    await assert_verified(env)
