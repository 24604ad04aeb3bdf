"""A consumer that gets its shard back after another consumer wrote it reads the documents afresh.

Each projector process keeps what it last read and wrote of a shard (its cache). Two writers
share one shard in turns here, as a consumer that lost and regained `x-single-active-consumer` would:
the second changes documents the first has cached (capacities, nights, bookings), then the first goes
on. The model must still equal a clean rebuild from the log.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta
from typing import cast

import pytest
from projector_kit import Bus, ReadModel, assert_verified
from story import Story

from innkeeper_contracts import EventEnvelope, RoomCapacityChanged
from projector.bootstrap import build_runtime
from projector.runtime import Runtime
from projector.settings import load_settings
from projector.store.mongo import MongoConnection
from projector.store.mongo.status import MongoStatusBoard
from projector.writer import BatchWriter

SHARD = "shard-0"


def writer(runtime: Runtime) -> BatchWriter:
    """A writer with its own cache and its own view of the shard's batch count: another process."""
    status = MongoStatusBoard(cast(MongoConnection, runtime.store.connection).database)
    return BatchWriter(replace(runtime.store, status=status), runtime.events)


async def test_turns_on_one_shard_give_the_model_of_a_clean_rebuild(
    bus: Bus, read_model: ReadModel, projector_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    story = Story(seed=21).generate(hotels=2, steps=160)
    bus.append(story.events)
    for name, value in projector_env.items():
        monkeypatch.setenv(name, value)
    runtime = await build_runtime(load_settings())
    try:
        first, second = writer(runtime), writer(runtime)
        turns = [first, second, first, second, first, first]
        size = len(story.events) // len(turns) + 1
        for turn, start in zip(turns, range(0, len(story.events), size), strict=False):
            await turn.write(SHARD, story.events[start : start + size])
    finally:
        await runtime.close()

    assert read_model.checkpoints() == story.versions
    nights = read_model.docs("hotel_nights")
    assert {key: doc["booked"] for key, doc in nights.items()} == story.expected_nights()
    await assert_verified(projector_env)


async def test_a_capacity_changed_by_another_consumer_reaches_a_night_booked_next(
    bus: Bus, read_model: ReadModel, projector_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writes compare-and-swap, but a document that is only read (the card's capacities, for a night
    booked for the first time) would stay stale in the first writer's cache without the check."""
    story = Story(seed=3)
    hotel = story.register_hotel()
    capacity(story, hotel, 3)
    story.book(hotel, "DBL")
    capacity(story, hotel, 1)  # the second writer's turn
    late = story.book(hotel, "DBL")
    assert late is not None
    story.events[-1] = moved(story.events[-1], nights_later=30)  # a night nobody booked before
    bus.append(story.events)
    for name, value in projector_env.items():
        monkeypatch.setenv(name, value)
    runtime = await build_runtime(load_settings())
    try:
        first, second = writer(runtime), writer(runtime)
        await first.write(SHARD, story.events[:3])
        await second.write(SHARD, story.events[3:4])
        await first.write(SHARD, story.events[4:])
    finally:
        await runtime.close()

    late_night = read_model.docs("hotel_nights")[f"{hotel}:{story.events[-1].data['check_in']}"]
    double = {room["room_type"]: room for room in late_night["room_types"]}["DBL"]
    assert (double["capacity"], double["free"]) == (1, 0)
    await assert_verified(projector_env)


def capacity(story: Story, hotel: str, rooms: int) -> None:
    previous, story.hotels[hotel]["DBL"] = story.hotels[hotel]["DBL"], rooms
    change = RoomCapacityChanged(
        hotel_id=uuid.UUID(hotel), room_type="DBL", capacity=rooms, previous_capacity=previous
    )
    story.add(hotel, hotel, change)


def moved(envelope: EventEnvelope, nights_later: int) -> EventEnvelope:
    data = dict(envelope.data)
    for field in ("check_in", "check_out"):
        data[field] = (date.fromisoformat(data[field]) + timedelta(days=nights_later)).isoformat()
    return envelope.model_copy(update={"data": data})
