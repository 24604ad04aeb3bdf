"""Fixtures of the whole-system tests: one running Innkeeper per test, on its own infrastructure."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from testkit.innkeeper import Innkeeper


@pytest.fixture
def flow_env(service_env: dict[str, str]) -> dict[str, str]:
    """Every service on this test's database, vhost and MongoDB database; fast caches for tests."""
    return {
        **service_env,
        "PROJECTOR_SHARDS": "2",
        "PROJECTOR_DROP_GRACE_SECONDS": "3",  # longer than the query service's generation cache (1 s)
        "RELAY_POLL_INTERVAL": "0.2",
        "CONSISTENCY_WAIT_SECONDS": "10",
    }


@pytest.fixture
async def innkeeper(flow_env: dict[str, str], log_dir: Path) -> AsyncIterator[Innkeeper]:
    """Not started: each test starts the parts it needs (`await innkeeper.start(...)`)."""
    system = Innkeeper(flow_env, log_dir)
    try:
        yield system
    finally:
        await system.close()
