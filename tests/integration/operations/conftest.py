"""Fixtures of the operations tests: the real services as processes on this test's infrastructure."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from testkit.innkeeper import Innkeeper


@pytest.fixture
def operations_env(service_env: dict[str, str]) -> dict[str, str]:
    """Every service on this test's database, vhost and MongoDB database; short polls and bounds."""
    return {
        **service_env,
        "PROJECTOR_SHARDS": "2",
        "RELAY_POLL_INTERVAL": "0.2",
        "CONSISTENCY_WAIT_SECONDS": "10",
        "SHUTDOWN_TIMEOUT_SECONDS": "10",
    }


@pytest.fixture
async def system(operations_env: dict[str, str], log_dir: Path) -> AsyncIterator[Innkeeper]:
    """Not started: each test starts the parts it needs; every process is killed at the end."""
    innkeeper = Innkeeper(operations_env, log_dir)
    try:
        yield innkeeper
    finally:
        await innkeeper.close()
