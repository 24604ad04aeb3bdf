"""Fixtures for the projector's integration tests: the event log table, a relay-like publisher, the
read model, and projector processes. The tests append to the command service's `events` table and
publish envelopes exactly as its outbox relay does, so each case controls the stream precisely."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient
from testkit.services import ServiceProcess

sys.path.insert(0, str(Path(__file__).parent))  # the helper modules next to this file

from projector_kit import Bus, ReadModel
from stand_in import StandIn


@pytest.fixture
def event_log(postgres_dsn: str) -> str:
    """The test database with the command service's schema, migrated as operators do it."""
    migrate = [sys.executable, "-m", "command_service", "migrate"]
    env = {**os.environ, "POSTGRES_DSN": postgres_dsn}
    result = subprocess.run(migrate, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return postgres_dsn


@pytest.fixture
def projector_env(service_env: dict[str, str], event_log: str) -> dict[str, str]:
    return {
        **service_env,
        "POSTGRES_DSN": event_log,
        "PROJECTOR_SHARDS": "4",
        "PROJECTOR_BATCH_SIZE": "50",
        "PROJECTOR_DROP_GRACE_SECONDS": "1",
    }


@pytest.fixture
async def bus(rabbitmq_url: str, event_log: str) -> AsyncIterator[Bus]:
    bus = Bus(rabbitmq_url, event_log)
    await bus.connect()
    yield bus
    await bus.close()


@pytest.fixture
def read_model(mongodb_server: str, mongodb_database: str) -> Iterator[ReadModel]:
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb_server, tz_aware=True)
    yield ReadModel(client[mongodb_database])
    client.drop_database(mongodb_database)
    client.close()


@pytest.fixture
def projectors() -> Iterator[list[ServiceProcess]]:
    """Projector processes started by the test (`projectors.append(start(...))`), killed at the end."""
    started: list[ServiceProcess] = []
    yield started
    for process in started:
        process.__exit__(None)


@pytest.fixture
def stand_in(tmp_path: Path) -> Iterator[StandIn]:
    """A stand-in this test may kill (tests/integration/projector/stand_in.py)."""
    server = StandIn(tmp_path)
    server.start()
    yield server
    server.stop()
