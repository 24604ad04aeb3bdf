"""Two projector processes on one stream; the active one is SIGKILLed mid-stream and restarted."""

from __future__ import annotations

import asyncio
from pathlib import Path

from projector_kit import Bus, ReadModel, assert_verified, start_projector
from story import Story
from testkit.services import ServiceProcess
from testkit.waiting import wait_until


async def test_a_killed_projector_is_replaced_and_the_model_equals_a_rebuild(
    bus: Bus,
    read_model: ReadModel,
    projector_env: dict[str, str],
    log_dir: Path,
    projectors: list[ServiceProcess],
) -> None:
    env = {**projector_env, "PROJECTOR_BATCH_SIZE": "10"}
    story = Story(seed=21).generate(hotels=8, steps=220)
    bus.append(story.events)
    first = start_projector(env, log_dir, projectors)  # first to consume: active on every shard at first
    start_projector(env, log_dir, projectors)  # in line on every shard; takes its share within seconds

    third = len(story.events) // 3
    await bus.publish(story.events[:third])
    await wait_until(lambda: read_model.deliveries() >= 10, what="the first projector applying events")
    publishing = asyncio.create_task(_publish_slowly(bus, story))
    await wait_until(lambda: read_model.deliveries() >= third, what="more events applied")
    first.kill()  # SIGKILL while the stream is still flowing: its unacked deliveries go to the other
    await asyncio.sleep(0.5)
    first.start()  # comes back in line behind the other, which then lets it have its share
    await publishing

    await wait_until(
        lambda: read_model.checkpoints() == story.versions, seconds=40, what="all events applied"
    )
    await wait_until(lambda: read_model.deliveries() >= bus.published, what="every delivery processed")
    assert {k: d["booked"] for k, d in read_model.docs("hotel_nights").items()} == story.expected_nights()
    await assert_verified(env)


async def _publish_slowly(bus: Bus, story: Story) -> None:
    rest = story.events[len(story.events) // 3 :]
    for start in range(0, len(rest), 20):
        await bus.publish(rest[start : start + 20])
        await asyncio.sleep(0.05)
