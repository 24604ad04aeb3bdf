"""Integration tests of the command service: make `command_support` importable."""

import sys
from pathlib import Path

import pytest
from testkit.auth import auth_env

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def command_env(postgres_dsn: str, rabbitmq_url: str) -> dict[str, str]:
    """Like `service_env`, without MongoDB (the command service does not use it)."""
    return {"POSTGRES_DSN": postgres_dsn, "RABBITMQ_URL": rabbitmq_url, **auth_env(rabbitmq_url)}
