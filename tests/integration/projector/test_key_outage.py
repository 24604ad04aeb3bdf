"""The guests' keys cannot be read (PostgreSQL cut off from the projector): the batch waits and is
retried — never shown as erased, never parked — and is applied in clear once PostgreSQL is back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from guests import Guests
from projector_kit import Bus, ReadModel, start_projector
from story import Story
from testkit.proxy import TcpProxy, through
from testkit.services import ServiceProcess
from testkit.waiting import wait_until

ADA = ("guest-ada", "Ada Quillfeather", "ada.quillfeather@example.com")


@pytest.fixture
async def postgres_proxy(event_log: str) -> AsyncIterator[TcpProxy]:
    proxy = TcpProxy.to(event_log, 5432)
    await proxy.start()
    yield proxy
    await proxy.stop()


async def test_keys_that_cannot_be_read_are_retried_never_shown_as_erased(
    bus: Bus,
    read_model: ReadModel,
    projector_env: dict[str, str],
    postgres_proxy: TcpProxy,
    log_dir: Path,
    projectors: list[ServiceProcess],
) -> None:
    env = {
        **projector_env,
        "POSTGRES_DSN": through(projector_env["POSTGRES_DSN"], postgres_proxy),
        "PROJECTOR_SHARDS": "1",
        "PROJECTOR_MAX_ATTEMPTS": "1",  # were it taken for the event's fault, it would be parked at once
    }
    guests, story = Guests(projector_env["POSTGRES_DSN"]), Story(seed=5)
    hotel = story.register_hotel()
    # Started in a thread: its wait for /healthz would block the loop the proxy forwards in.
    projector = await asyncio.to_thread(start_projector, env, log_dir, projectors)
    bus.append(story.events)
    await bus.publish(story.events)
    await wait_until(lambda: read_model.checkpoints() == story.versions, what="the hotel applied")

    await postgres_proxy.cut()  # PostgreSQL is gone for the projector only
    booking = await guests.book(story, hotel, "DBL", *ADA)
    bus.append(story.events[-1:])
    await bus.publish(story.events[-1:])
    await wait_until(
        lambda: projector.logs().count("batch failed, retrying") >= 3, seconds=30, what="the batch retried"
    )
    assert booking not in read_model.docs("bookings")
    assert read_model.parked(status=None) == []

    await postgres_proxy.restore()
    await wait_until(lambda: booking in read_model.docs("bookings"), seconds=30, what="the booking applied")
    guest = read_model.docs("bookings")[booking]["guest"]
    assert guest == {"guest_id": ADA[0], "name": ADA[1], "email": ADA[2]}
    assert read_model.parked(status=None) == []
