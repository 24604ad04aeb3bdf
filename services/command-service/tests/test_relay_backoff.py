"""The relay during an outage: a failed round backs off and no commit's wake cuts the pause short (every
command would otherwise start a round against the broker that is away); a drain still ends it; the log
says when publishing stops and when it resumes, not every failed round."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import asyncpg
import pytest
import structlog

from command_service.adapters import outbox_relay
from command_service.adapters.event_publisher import EventPublisher
from command_service.adapters.outbox_relay import OutboxRelay


class ScriptedRelay(OutboxRelay):
    """A relay whose rounds fail `failing` times in a row, then find the outbox empty."""

    def __init__(self, failing: int) -> None:
        super().__init__(cast(asyncpg.Pool, None), cast(EventPublisher, None), poll_interval=0.05)
        self.failing, self.rounds = failing, 0
        self.tried, self.published = asyncio.Event(), asyncio.Event()

    async def publish_round(self) -> int | None:
        self.rounds += 1
        self.tried.set()
        if self.rounds <= self.failing:
            raise ConnectionError("broker away")
        self.published.set()
        return 0


async def test_commits_during_an_outage_do_not_start_rounds_and_a_drain_ends_the_pause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(outbox_relay, "FAILURE_PAUSE", 60.0)  # the first pause: 30 to 60 s
    relay = ScriptedRelay(failing=1_000)
    running = asyncio.create_task(relay.run())
    await relay.tried.wait()
    for _ in range(200):  # a burst of commands committing while the broker is away
        relay.wake()
        await asyncio.sleep(0.001)
    assert relay.rounds == 1
    await relay.drain(within=5)
    await asyncio.wait_for(running, 5)  # ended by the drain, not after the minute-long pause
    assert relay.rounds == 1


async def test_the_log_says_when_publishing_stops_and_resumes_not_each_failed_round(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(outbox_relay, "FAILURE_PAUSE", 0.001)
    relay = ScriptedRelay(failing=3)
    with structlog.testing.capture_logs() as lines:
        running = asyncio.create_task(relay.run())
        await relay.published.wait()
        await relay.drain(within=5)
        await asyncio.wait_for(running, 5)
    said: list[dict[str, Any]] = [line for line in lines if line["event"].startswith("relay.")]
    warnings = [line["event"] for line in said if line["log_level"] == "warning"]
    assert warnings == ["relay.publishing_stopped"]
    assert [line["failures"] for line in said if line["event"] == "relay.round_failed"] == [2, 3]
    assert {line["log_level"] for line in said if line["event"] == "relay.round_failed"} == {"debug"}
    (resumed,) = [line for line in said if line["event"] == "relay.publishing_resumed"]
    assert resumed["failed_rounds"] == 3
    assert relay._metrics.relay_failures._value.get() == 3
