"""A read store that lost acknowledged writes gets them back by itself (issue 20): nothing is left in a
queue to redeliver them, so the projector reconciles its checkpoints with the event log at start and
whenever the store may have lost writes, `/status` says so (never lag 0 while behind), and the events
are applied again from the log: `verify` then finds no difference, with no manual rebuild."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import httpx
import pytest
from projector_kit import Bus, ReadModel, assert_verified, start_projector
from pymongo import MongoClient
from stand_in import StandIn
from story import Story
from testkit.auth import admin
from testkit.services import ServiceProcess
from testkit.waiting import wait_until

from innkeeper_contracts.documents import BOOKINGS, CHECKPOINTS, collection_name

GRACE_SECONDS = 3  # what is missing must still be missing after this: it is /status's "behind" window


@pytest.fixture
def env(projector_env: dict[str, str], stand_in: StandIn) -> dict[str, str]:
    grace = {"PROJECTOR_RECONCILE_GRACE_SECONDS": str(GRACE_SECONDS)}
    return {**projector_env, "MONGODB_URL": stand_in.url, **grace}


class Tampering:
    """Changes the read store behind the projector's back, journaled (it must survive a kill -9)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.client: MongoClient[dict[str, Any]] = MongoClient(
            env["MONGODB_URL"], tz_aware=True, journal=True
        )
        self.read_model = ReadModel(self.client[env["MONGODB_DATABASE"]])

    def forget_last_bookings(self, story: Story, count: int) -> int:
        """The store loses the last `count` bookings (documents and checkpoints) as a snapshot taken
        before them would; returns how many events that loses."""
        database, generation = self.read_model.database, self.read_model.generation()
        last = list(
            dict.fromkeys(str(e.aggregate_id) for e in reversed(story.events) if "Stay" in e.event_type)
        )
        lost = last[:count]
        database[collection_name(BOOKINGS, generation)].delete_many({"_id": {"$in": lost}})
        database[collection_name(CHECKPOINTS, generation)].delete_many({"_id": {"$in": lost}})
        return sum(story.versions[booking] for booking in lost)

    def drop_checkpoints(self) -> None:
        self.read_model.database.drop_collection(collection_name(CHECKPOINTS, self.read_model.generation()))

    def close(self) -> None:
        self.client.close()


async def status_of(projector: ServiceProcess) -> dict[str, Any]:
    async with httpx.AsyncClient(headers=admin(), base_url=projector.url) as client:
        body: dict[str, Any] = (await client.get("/status")).json()
    return body


async def project(
    bus: Bus, env: dict[str, str], log_dir: Path, projectors: list[ServiceProcess], story: Story
) -> tuple[ServiceProcess, Tampering]:
    bus.append(story.events)
    projector = start_projector(env, log_dir, projectors)
    await bus.publish(story.events)
    tampering = Tampering(env)
    await wait_until(
        lambda: tampering.read_model.checkpoints() == story.versions, seconds=60, what="all events applied"
    )
    return projector, tampering


async def test_a_restarted_projector_applies_again_what_the_store_lost_while_it_was_stopped(
    bus: Bus, env: dict[str, str], log_dir: Path, projectors: list[ServiceProcess]
) -> None:
    story = Story(seed=31).generate(hotels=5, steps=120)
    projector, tampering = await project(bus, env, log_dir, projectors, story)
    projector.terminate()
    lost = tampering.forget_last_bookings(story, 4)
    tampering.drop_checkpoints()  # and every checkpoint: each event of the log looks unapplied

    restarted = start_projector(env, log_dir, projectors)
    await wait_until(
        lambda: tampering.read_model.checkpoints() == story.versions, seconds=60, what="the store repaired"
    )
    await wait_until(lambda: _ok(status_of(restarted)), seconds=30, what="reconcile ok")
    status = await status_of(restarted)
    assert status["reconcile"]["repaired_events"] == len(story.events) >= lost
    assert status["lag_events"] == 0
    await assert_verified(env)
    tampering.close()


async def test_a_store_restarted_with_lost_writes_is_reported_behind_then_repaired_by_itself(
    bus: Bus, env: dict[str, str], stand_in: StandIn, log_dir: Path, projectors: list[ServiceProcess]
) -> None:
    story = Story(seed=32).generate(hotels=5, steps=120)
    projector, tampering = await project(bus, env, log_dir, projectors, story)
    await wait_until(lambda: _ok(status_of(projector)), seconds=30, what="the start-up reconcile done")
    lost = tampering.forget_last_bookings(story, 3)
    tampering.close()
    stand_in.signal(signal.SIGKILL)
    stand_in.start()

    async def reported_behind() -> bool:
        status = await _status_or_none(projector)
        return status is not None and status["reconcile"]["state"] == "behind"

    await wait_until(reported_behind, seconds=30, what="/status reporting the store behind", every=0.1)
    status = await status_of(projector)
    assert status["reconcile"]["missing_events"] == lost
    assert status["lag_events"] >= lost  # not lag 0
    tampering = Tampering(env)
    await wait_until(
        lambda: tampering.read_model.checkpoints() == story.versions, seconds=60, what="the store repaired"
    )
    await wait_until(lambda: _ok(status_of(projector)), seconds=30, what="reconcile ok")
    status = await status_of(projector)
    assert status["reconcile"]["repaired_events"] == lost
    assert status["reconcile"]["reason"] in ("store restarted", "store reachable again")
    assert status["lag_events"] == 0
    await assert_verified(env)
    tampering.close()


async def _ok(status: Any) -> bool:
    """A reconciliation ran (it waits for a quiet moment before its first comparison) and found or left
    nothing missing."""
    body = await status
    return bool(body["reconcile"]["state"] == "ok" and body["reconcile"]["last_run"] is not None)


async def _status_or_none(projector: ServiceProcess) -> dict[str, Any] | None:
    try:
        async with httpx.AsyncClient(headers=admin(), base_url=projector.url, timeout=5) as client:
            response = await client.get("/status")
    except httpx.TransportError:
        return None
    return response.json() if response.status_code == 200 else None
