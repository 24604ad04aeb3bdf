"""Fixtures for the projector's integration tests: the event log table, a relay-like publisher, the
read model, and projector processes. Until the command service lands, the tests write the `events`
table (DDL of docs/architecture.md) and publish envelopes exactly as its outbox relay does."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pymongo import MongoClient
from testkit.services import ServiceProcess

sys.path.insert(0, str(Path(__file__).parent))  # the helper modules next to this file

from projector_kit import Bus, ReadModel

EVENTS_DDL = """
CREATE TABLE events (
    global_position   bigint      PRIMARY KEY,
    event_id          uuid        NOT NULL UNIQUE,
    event_type        text        NOT NULL,
    schema_version    int         NOT NULL,
    aggregate_type    text        NOT NULL,
    aggregate_id      uuid        NOT NULL,
    aggregate_version int         NOT NULL,
    partition_key     text        NOT NULL,
    occurred_at       timestamptz NOT NULL,
    correlation_id    text        NOT NULL,
    causation_id      text        NOT NULL,
    data              jsonb       NOT NULL,
    UNIQUE (aggregate_id, aggregate_version)
)
"""


@pytest.fixture
def event_log(postgres_dsn: str) -> str:
    """The test database with the command service's `events` table (created here until it lands)."""
    with psycopg.connect(postgres_dsn, autocommit=True) as connection:
        connection.execute(EVENTS_DDL)
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
