"""Fixtures of the erasure story: the whole system (command service, projector, query service, notifier)
as real processes with a real SMTP catcher, each test on its own database, vhost and MongoDB database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from testkit.innkeeper import Innkeeper
from testkit.mail import MailCatcher


@pytest.fixture
def mail(tmp_path: Path, log_dir: Path) -> Iterator[MailCatcher]:
    with MailCatcher(tmp_path / "mail", log_dir) as catcher:
        yield catcher


@pytest.fixture
def erasure_env(service_env: dict[str, str], mail: MailCatcher) -> dict[str, str]:
    return {
        **service_env,
        "PROJECTOR_SHARDS": "2",
        "RELAY_POLL_INTERVAL": "0.2",
        "CONSISTENCY_WAIT_SECONDS": "10",
        "SMTP_URL": mail.url,
        "NOTIFIER_SHARDS": "2",
        "NOTIFIER_POLL_SECONDS": "0.2",
        "NOTIFIER_RETRY_BASE_SECONDS": "0.2",
        "NOTIFIER_RETRY_MAX_SECONDS": "1",
        "NOTIFIER_SEND_TIMEOUT_SECONDS": "2",
        "NOTIFIER_LEASE_SECONDS": "5",
        "LOG_LEVEL": "DEBUG",  # the most a log could say
    }


@pytest.fixture
async def innkeeper(erasure_env: dict[str, str], log_dir: Path) -> AsyncIterator[Innkeeper]:
    system = Innkeeper(erasure_env, log_dir)
    try:
        await system.start()
        await system.start_notifier()
        yield system
    finally:
        await system.close()
