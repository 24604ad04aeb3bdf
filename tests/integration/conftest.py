"""Fixtures for integration tests: real PostgreSQL, RabbitMQ and MongoDB (stand-in), isolated per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from testkit.auth import auth_env
from testkit.infra import (
    docker_engine_available,
    fresh_postgres_database,
    fresh_rabbitmq_vhost,
    missing,
    mongodb_stand_in,
    unique_name,
)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """DSN of a PostgreSQL server whose user may create databases."""
    if dsn := os.environ.get("POSTGRES_DSN"):
        yield dsn
    elif docker_engine_available():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", driver=None) as container:
            yield container.get_connection_url()
    else:
        missing("POSTGRES_DSN", "PostgreSQL")


@pytest.fixture(scope="session")
def rabbitmq_server() -> Iterator[str]:
    """AMQP URL of a RabbitMQ broker with the management API (to make a vhost per test)."""
    if url := os.environ.get("RABBITMQ_URL"):
        yield url
    elif docker_engine_available():
        from testcontainers.rabbitmq import RabbitMqContainer

        with RabbitMqContainer("rabbitmq:3.13-management") as container:
            host, port = container.get_container_host_ip(), container.get_exposed_port(5672)
            os.environ["RABBITMQ_MANAGEMENT_URL"] = (
                f"http://guest:guest@{host}:{container.get_exposed_port(15672)}"
            )
            yield f"amqp://guest:guest@{host}:{port}/"
    else:
        missing("RABBITMQ_URL", "RabbitMQ")


@pytest.fixture(scope="session")
def mongodb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a MongoDB server: MONGODB_URL, else the SecantusDB stand-in started as a process."""
    if url := os.environ.get("MONGODB_URL"):
        yield url
    else:
        with mongodb_stand_in(tmp_path_factory.mktemp("mongodb")) as url:
            yield url


@pytest.fixture
def postgres_dsn(postgres_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test."""
    with fresh_postgres_database(postgres_server) as dsn:
        yield dsn


@pytest.fixture
def rabbitmq_url(rabbitmq_server: str) -> Iterator[str]:
    """A fresh RabbitMQ virtual host for this test."""
    with fresh_rabbitmq_vhost(rabbitmq_server) as url:
        yield url


@pytest.fixture
def mongodb_database() -> str:
    """A database name no other test uses."""
    return unique_name("innkeeper_test")


@pytest.fixture
def service_env(
    postgres_dsn: str, rabbitmq_url: str, mongodb_server: str, mongodb_database: str
) -> dict[str, str]:
    """Environment that points every service at this test's isolated infrastructure."""
    return {
        "POSTGRES_DSN": postgres_dsn,
        "RABBITMQ_URL": rabbitmq_url,
        "MONGODB_URL": mongodb_server,
        "MONGODB_DATABASE": mongodb_database,
        **auth_env(rabbitmq_url),
    }


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    path = tmp_path / "logs"
    path.mkdir()
    return path
