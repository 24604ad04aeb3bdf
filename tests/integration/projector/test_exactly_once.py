"""Duplicates and out-of-order redelivery change nothing: the documents equal a clean run."""

from __future__ import annotations

import random
from pathlib import Path

import httpx
from projector_kit import Bus, ReadModel, assert_verified, run_cli, start_projector
from story import Story
from testkit.auth import admin
from testkit.services import ServiceProcess
from testkit.waiting import wait_until


async def test_every_event_twice_and_a_batch_out_of_order_equals_a_clean_run(
    bus: Bus,
    read_model: ReadModel,
    projector_env: dict[str, str],
    log_dir: Path,
    projectors: list[ServiceProcess],
) -> None:
    story = Story(seed=11).generate(hotels=5, steps=120)
    bus.append(story.events)
    projector = start_projector(projector_env, log_dir, projectors)

    shuffled = story.events[40:90]
    random.Random(3).shuffle(shuffled)
    # Every event twice (the second copy some events later), then a batch again in another order.
    doubled = [
        e for pair in zip(story.events, story.events[3:] + story.events[:3], strict=True) for e in pair
    ]
    await bus.publish(doubled + shuffled)
    await wait_until(lambda: read_model.deliveries() >= bus.published, what="every delivery processed")

    assert read_model.checkpoints() == story.versions
    nights = read_model.docs("hotel_nights")
    assert {k: d["booked"] for k, d in nights.items()} == story.expected_nights()
    bookings = read_model.docs("bookings")
    assert {k for k, d in bookings.items() if d["status"] == "active"} == set(story.active)
    assert {k for k, d in bookings.items() if d["status"] == "cancelled"} == story.cancelled
    await assert_verified(projector_env)
    messy = read_model.snapshot()
    code, output = await run_cli(projector_env, "rebuild", "--keep-old")  # a clean run from the log
    assert code == 0, output
    assert read_model.snapshot() == messy

    async with httpx.AsyncClient(headers=admin(), base_url=projector.url) as client:
        status = (await client.get("/status")).json()
        metrics = (await client.get("/metrics")).text
        ready = await client.get("/readyz")
    assert status["log_head"] == len(story.events)
    assert status["lag_events"] == 0
    assert status["applied_position"] == len(story.events)
    assert sum(s["duplicates"] for s in status["shards"]) >= len(story.events)
    assert "innkeeper_projector_lag_events 0.0" in metrics
    assert "innkeeper_projector_events_applied_total" in metrics
    assert ready.status_code == 200


async def test_an_event_ahead_of_its_predecessors_heals_the_gap_from_the_log(
    bus: Bus,
    read_model: ReadModel,
    projector_env: dict[str, str],
    log_dir: Path,
    projectors: list[ServiceProcess],
) -> None:
    story = Story(seed=5).generate(hotels=1, steps=30)
    bus.append(story.events)
    start_projector(projector_env, log_dir, projectors)

    hotel_events = [e for e in story.events if e.aggregate_type == "hotel"]
    await bus.publish(hotel_events)
    # The last event of the longest booking, whose earlier events the broker never delivered.
    last = max((e for e in story.events if e.aggregate_type == "booking"), key=lambda e: e.aggregate_version)
    assert last.aggregate_version > 1
    await bus.publish([last])
    aggregate = str(last.aggregate_id)
    await wait_until(
        lambda: read_model.checkpoints().get(aggregate) == last.aggregate_version, what="gap healed"
    )
    await bus.publish(story.events)  # the rest arrive late: duplicates for that aggregate
    await wait_until(lambda: read_model.deliveries() >= bus.published, what="every delivery processed")

    code, output = await run_cli(projector_env, "verify")
    assert code == 0, output
