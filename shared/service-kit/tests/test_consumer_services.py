"""The kit's parts for the services that run consumers (projector, notifier): the `python -m` entry,
the bounded probe, the restart of a shard worker, the stop of a service's tasks, an event's log fields."""

from __future__ import annotations

import argparse
import asyncio
from types import SimpleNamespace
from typing import Any, cast
from uuid import UUID

import pytest

from innkeeper_kit import serving
from innkeeper_kit.entry import serve_or_run_tool
from innkeeper_kit.health import reachable
from innkeeper_kit.logging import event_fields
from innkeeper_kit.settings import ServiceSettings
from innkeeper_kit.supervision import cancel_all, keep_running


async def test_reachable_is_true_only_for_a_probe_that_answers_in_time() -> None:
    async def fine() -> int:
        return 1

    async def broken() -> None:
        raise ConnectionError("refused")

    assert await reachable(fine())
    assert not await reachable(broken())
    assert not await reachable(asyncio.sleep(10), seconds=0.01)


class FlakyWorker:
    shard = "shard-0"

    def __init__(self) -> None:
        self.stopping = False
        self.runs = 0

    async def run(self, connection: Any) -> None:
        self.runs += 1
        if self.runs == 1:
            raise RuntimeError("channel closed")
        self.stopping = True


async def test_a_worker_that_fails_is_started_again_until_it_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("innkeeper_kit.supervision.RESTART_PAUSE_SECONDS", 0)
    worker = FlakyWorker()
    await keep_running(worker, object(), cast(Any, SimpleNamespace(exception=lambda *a, **k: None)), "intake")
    assert worker.runs == 2


async def test_cancel_all_waits_for_every_task_to_end() -> None:
    tasks = [asyncio.create_task(asyncio.sleep(10)) for _ in range(3)]
    await cancel_all(tasks)
    assert all(task.cancelled() for task in tasks)


def test_event_fields_name_the_event_and_its_request() -> None:
    event = SimpleNamespace(event_id=UUID(int=7), event_type="BookingPlaced", correlation_id="corr-1")
    assert event_fields(cast(Any, event)) == {
        "event_id": str(UUID(int=7)),
        "event_type": "BookingPlaced",
        "correlation_id": "corr-1",
    }


def test_a_tool_runs_after_the_logging_set_up_and_gives_its_exit_code() -> None:
    settings = ServiceSettings()
    steps: list[str] = []

    async def tool(given: ServiceSettings, arguments: argparse.Namespace) -> int:
        steps.append(f"tool {arguments.command}")
        return 3 if given is settings else 0

    code = serve_or_run_tool(
        argparse.Namespace(command="failed"),
        lambda: settings,
        lambda _: steps.append("logging"),
        lambda _: pytest.fail("a tool does not build the app"),
        tool,
    )
    assert (code, steps) == (3, ["logging", "tool failed"])


@pytest.mark.parametrize("command", [None, "serve"])
def test_serve_is_the_default(monkeypatch: pytest.MonkeyPatch, command: str | None) -> None:
    served: list[int] = []
    monkeypatch.setattr(serving, "serve", lambda app, settings, port: served.append(port))
    settings = ServiceSettings(port=8123)

    async def tool(given: ServiceSettings, arguments: argparse.Namespace) -> int:
        raise AssertionError("serving runs no tool")

    code = serve_or_run_tool(
        argparse.Namespace(command=command),
        lambda: settings,
        lambda _: None,
        lambda _: cast(Any, "app"),
        tool,
    )
    assert (code, served) == (0, [8123])
