"""Fixtures of the backup tests: the system that is backed up, and a second one (its own empty database,
vhost and MongoDB database) that a backup is restored into, as after losing the first."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from testkit.auth import auth_env
from testkit.infra import fresh_postgres_database, fresh_rabbitmq_vhost, unique_name
from testkit.innkeeper import Innkeeper

FAST = {"PROJECTOR_SHARDS": "2", "RELAY_POLL_INTERVAL": "0.2", "CONSISTENCY_WAIT_SECONDS": "10"}


@pytest.fixture
async def original(service_env: dict[str, str], log_dir: Path) -> AsyncIterator[Innkeeper]:
    """Not started: the test starts it."""
    system = Innkeeper({**service_env, **FAST}, log_dir)
    try:
        yield system
    finally:
        await system.close()


@pytest.fixture
def replacement_env(
    postgres_server: str, rabbitmq_server: str, mongodb_server: str
) -> Iterator[dict[str, str]]:
    """A new empty database (nothing migrated), vhost and MongoDB database on the same servers."""
    with fresh_postgres_database(postgres_server) as dsn, fresh_rabbitmq_vhost(rabbitmq_server) as url:
        yield {
            "POSTGRES_DSN": dsn,
            "RABBITMQ_URL": url,
            "MONGODB_URL": mongodb_server,
            "MONGODB_DATABASE": unique_name("innkeeper_restored"),
            **auth_env(url),
            **FAST,
        }


@pytest.fixture
async def replacement(replacement_env: dict[str, str], tmp_path: Path) -> AsyncIterator[Innkeeper]:
    """Not started: the backup is restored into its database first."""
    logs = tmp_path / "replacement-logs"
    logs.mkdir()
    system = Innkeeper(replacement_env, logs)
    try:
        yield system
    finally:
        await system.close()
