"""The projector and a failing read store (issue 20): every write that precedes an ack is journaled,
so an acked projection survives a kill -9 of the store; and a SIGTERM while the store hangs still ends
the process within SHUTDOWN_TIMEOUT_SECONDS, losing nothing (the broker redelivers what was not acked)."""

from __future__ import annotations

import functools
import json
import signal
from pathlib import Path
from typing import Any

import pytest
from projector_kit import Bus, ReadModel, assert_verified, start_projector
from pymongo import AsyncMongoClient, MongoClient, monitoring
from stand_in import StandIn
from story import Story
from testkit.services import ServiceProcess
from testkit.waiting import wait_until

from innkeeper_contracts.documents import BOOKINGS, CARD_REVISIONS, CHECKPOINTS, HOTEL_CARDS, collection_name
from projector.ports import Changes, Checkpoint
from projector.store import mongo

SHUTDOWN_SECONDS = 4
WRITES = {"insert", "update", "delete", "findAndModify"}


@pytest.fixture
def env(projector_env: dict[str, str], stand_in: StandIn) -> dict[str, str]:
    return {**projector_env, "MONGODB_URL": stand_in.url, "SHUTDOWN_TIMEOUT_SECONDS": str(SHUTDOWN_SECONDS)}


def read_model_of(env: dict[str, str]) -> tuple[MongoClient[dict[str, Any]], ReadModel]:
    client: MongoClient[dict[str, Any]] = MongoClient(env["MONGODB_URL"], tz_aware=True)
    return client, ReadModel(client[env["MONGODB_DATABASE"]])


class Writes(monitoring.CommandListener):
    def __init__(self) -> None:
        self.seen: list[tuple[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in WRITES:
            self.seen.append((event.command[event.command_name], event.command.get("writeConcern")))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def test_every_write_of_the_read_store_is_journaled(
    mongodb_server: str, mongodb_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes = Writes()
    with_listener = functools.partial(AsyncMongoClient, event_listeners=[writes])
    monkeypatch.setattr(mongo, "AsyncMongoClient", with_listener)
    store = mongo.connect(mongodb_server, mongodb_database)
    try:
        await store.generations.ensure_initial()
        g = (await store.generations.current()).active
        booking = {(BOOKINGS, "b1"): {"_id": "b1"}, (HOTEL_CARDS, "h1"): {"_id": "h1", "city": "Porto"}}
        await store.documents.save(g, Changes(booking, {}, {"b1": Checkpoint(1, 1)}, {"b1"}))
        await store.parking.park_malformed(b"{", "not JSON", "shard-0", "m1")
    finally:
        await store.connection.client.drop_database(mongodb_database)
        await store.connection.close()
    written = {collection for collection, _ in writes.seen}
    bases = (BOOKINGS, CHECKPOINTS, CARD_REVISIONS, HOTEL_CARDS)
    assert {collection_name(base, g) for base in bases} | {"parked_events"} <= written, written
    assert all(concern == {"j": True} for _, concern in writes.seen), writes.seen


async def test_a_sigterm_while_the_store_hangs_ends_the_projector_in_time_and_loses_nothing(
    bus: Bus, env: dict[str, str], stand_in: StandIn, log_dir: Path, projectors: list[ServiceProcess]
) -> None:
    client, read_model = read_model_of(env)
    story = Story(seed=20).generate(hotels=6, steps=160)
    bus.append(story.events)
    projector = start_projector(env, log_dir, projectors)
    half = len(story.events) // 2
    await bus.publish(story.events[:half])
    await wait_until(lambda: read_model.deliveries() >= half, seconds=40, what="the first half applied")

    stand_in.signal(signal.SIGSTOP)  # calls to the store now hang: worse than a refused connection
    await bus.publish(story.events[half:])  # batches that cannot be written while the store hangs
    assert projector.process is not None
    projector.process.send_signal(signal.SIGTERM)
    exit_code = projector.process.wait(timeout=SHUTDOWN_SECONDS + 10)  # generous: no timing assertion
    lines = [json.loads(line) for line in projector.logs().splitlines() if line.startswith("{")]
    said = [line["event"] for line in lines]
    assert exit_code == 0, projector.logs()[-3000:]
    assert "shutdown.step_abandoned" in said or "shutdown.batches_cut_off" in said, said[-10:]
    assert said[-1] == "shutdown.done" or "shutdown.done" in said[-5:], said[-10:]

    stand_in.signal(signal.SIGCONT)  # the store is back: a new projector gets what was not acked
    start_projector(env, log_dir, projectors)
    await wait_until(
        lambda: read_model.checkpoints() == story.versions, seconds=60, what="all events applied"
    )
    assert {k: d["booked"] for k, d in read_model.docs("hotel_nights").items()} == story.expected_nights()
    await assert_verified(env)
    client.close()


async def test_what_the_projector_acked_survives_a_kill_9_of_the_store(
    bus: Bus, env: dict[str, str], stand_in: StandIn, log_dir: Path, projectors: list[ServiceProcess]
) -> None:
    client, read_model = read_model_of(env)
    story = Story(seed=9).generate(hotels=5, steps=120)
    bus.append(story.events)
    start_projector(env, log_dir, projectors)
    await bus.publish(story.events)
    await wait_until(
        lambda: read_model.checkpoints() == story.versions, seconds=40, what="all events applied"
    )
    bookings = read_model.docs(BOOKINGS)
    client.close()

    stand_in.signal(signal.SIGKILL)  # right after the acks: no clean shutdown, no flush
    stand_in.start()
    client, read_model = read_model_of(env)
    assert read_model.checkpoints() == story.versions  # nothing acked was lost, nothing is redelivered
    assert read_model.docs(BOOKINGS) == bookings
    await assert_verified(env)
    client.close()
