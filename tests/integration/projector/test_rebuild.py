"""Rebuild while events keep flowing: readers (through the alias) never see an empty or partial model."""

from __future__ import annotations

import asyncio
from pathlib import Path

from projector_kit import Bus, ReadModel, run_cli, start_projector
from story import Story
from testkit.services import ServiceProcess
from testkit.waiting import wait_until

from innkeeper_contracts import EventEnvelope


async def test_rebuild_while_events_flow_switches_readers_to_a_complete_generation(
    bus: Bus,
    read_model: ReadModel,
    projector_env: dict[str, str],
    log_dir: Path,
    projectors: list[ServiceProcess],
) -> None:
    story = Story(seed=8).generate(hotels=6, steps=200)
    before = len(story.events)
    for _ in range(400):
        story.step()
    first, rest = story.events[:before], story.events[before:]
    start_projector(projector_env, log_dir, projectors)
    bus.append(first)
    await bus.publish(first)
    await wait_until(lambda: read_model.deliveries() >= before, what="the first part applied")
    old = read_model.generation()

    seen: list[tuple[str, int, int]] = []
    done = asyncio.Event()
    reader = asyncio.create_task(_read_until(read_model, done, seen))
    rebuilt = asyncio.Event()
    writer = asyncio.create_task(_append_and_publish(bus, rest, rebuilt))
    code, output = await run_cli(projector_env, "rebuild")
    assert code == 0, output
    assert "1 live projector process(es) paused" in output
    during = bus.published
    rebuilt.set()
    appended = await writer
    done.set()
    await reader
    assert before < during < before + appended  # events flowed before, during and after the rebuild

    new = read_model.generation()
    assert new != old
    assert not [n for n in read_model.database.list_collection_names() if n.endswith(f"_{old}")]
    assert {g for g, _, _ in seen} == {old, new}
    cards = [c for _, c, _ in seen]
    bookings = [b for _, _, b in seen]
    assert min(cards) == len(story.hotels)  # never empty, never a half-built generation
    assert bookings == sorted(bookings)  # bookings never disappear, not even at the switch
    expected: dict[str, int] = {}
    for event in story.events[: before + appended]:
        expected[str(event.aggregate_id)] = event.aggregate_version
    await wait_until(lambda: read_model.checkpoints() == expected, what="the live stream applied")
    code, output = await run_cli(projector_env, "verify")
    assert code == 0, output


async def _read_until(read_model: ReadModel, done: asyncio.Event, seen: list[tuple[str, int, int]]) -> None:
    while not done.is_set():
        generation = read_model.generation()
        cards = read_model.database[f"hotel_cards_{generation}"].count_documents({})
        bookings = read_model.database[f"bookings_{generation}"].count_documents({})
        seen.append((generation, cards, bookings))
        await asyncio.sleep(0.02)


async def _append_and_publish(bus: Bus, events: list[EventEnvelope], rebuilt: asyncio.Event) -> int:
    """Keep events flowing until a little after the rebuild ends; returns how many were appended."""
    after = 0
    for start in range(0, len(events), 5):
        chunk = events[start : start + 5]
        bus.append(chunk)  # committed first, then published, as the outbox relay does
        await bus.publish(chunk)
        after += rebuilt.is_set()
        if after == 3:
            return start + 5
        await asyncio.sleep(0.05)
    return len(events)
