"""Fixtures of the security tests: the three services as processes, with a partner service granted only
booking and cancelling (besides the test broker user, granted everything)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from testkit.auth import amqp_user
from testkit.innkeeper import Innkeeper

PARTNER = "partner-portal"


@pytest.fixture
def security_env(service_env: dict[str, str]) -> dict[str, str]:
    sender = amqp_user(service_env["RABBITMQ_URL"])
    return {
        **service_env,
        "PROJECTOR_SHARDS": "1",
        "RELAY_POLL_INTERVAL": "0.2",
        "SERVICE_GRANTS": f'{{"{sender}": "*", "{PARTNER}": ["BookStay", "CancelBooking"]}}',
    }


@pytest.fixture
async def system(security_env: dict[str, str], log_dir: Path) -> AsyncIterator[Innkeeper]:
    """Started: command service, one projector, one query service."""
    innkeeper = Innkeeper(security_env, log_dir)
    try:
        await innkeeper.start()
        yield innkeeper
    finally:
        await innkeeper.close()
