"""Fixtures of the HTTP edge tests: each service as a real process (uvicorn, keep-alive connections, its
own log file) on this test's PostgreSQL database, RabbitMQ vhost and MongoDB database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from query.seed import ReadModelSeed
from testkit.infra import free_port
from testkit.innkeeper import Innkeeper
from testkit.services import ServiceProcess

ENV_FOR_TESTS = {"RELAY_POLL_INTERVAL": "0.2", "CONSISTENCY_WAIT_SECONDS": "2"}


@pytest.fixture
async def innkeeper(service_env: dict[str, str], log_dir: Path) -> AsyncIterator[Innkeeper]:
    """Not started: each test starts the parts it needs."""
    system = Innkeeper({**service_env, **ENV_FOR_TESTS}, log_dir)
    try:
        yield system
    finally:
        await system.close()


@pytest.fixture
def command_service(service_env: dict[str, str], log_dir: Path) -> Iterator[ServiceProcess]:
    with ServiceProcess("command_service", service_env, free_port(), log_dir) as process:
        yield process


@pytest.fixture
def query_service(service_env: dict[str, str], log_dir: Path) -> Iterator[ServiceProcess]:
    env = {**service_env, "GENERATION_CACHE_SECONDS": "0"}
    with ServiceProcess("query_service", env, free_port(), log_dir) as process:
        yield process


@pytest.fixture
async def read_model(mongodb_server: str, mongodb_database: str) -> AsyncIterator[ReadModelSeed]:
    """The query service's read model (generation g1, active), to put documents in as the projector does."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_server)
    seed = ReadModelSeed(client[mongodb_database], "g1")
    await seed.activate()
    try:
        yield seed
    finally:
        await client.drop_database(mongodb_database)
        await client.close()
