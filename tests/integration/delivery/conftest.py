"""Fixtures of the notifier tests: the command service and notifier(s) as real processes, a real SMTP
catcher and a real webhook receiver, each test on its own database and vhost."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from testkit.innkeeper import Innkeeper
from testkit.mail import MailCatcher
from testkit.webhooks import WebhookReceiver

from delivery.support import SECRET


@pytest.fixture
def mail(tmp_path: Path, log_dir: Path) -> Iterator[MailCatcher]:
    with MailCatcher(tmp_path / "mail", log_dir) as catcher:
        yield catcher


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver().start()
    try:
        yield receiver
    finally:
        receiver.stop()


@pytest.fixture
def notifier_env(service_env: dict[str, str], mail: MailCatcher, webhook: WebhookReceiver) -> dict[str, str]:
    """Every service on this test's infrastructure; the notifier retries fast, and `payments` gets
    the refunds and alerts by webhook."""
    payments = {"name": "payments", "url": webhook.url, "secret": SECRET,
                "events": ["RefundIssued", "ManagementAlertRaised"]}  # fmt: skip
    return {
        **service_env,
        "RELAY_POLL_INTERVAL": "0.2",
        "SMTP_URL": mail.url,
        "WEBHOOK_SUBSCRIBERS": json.dumps([payments]),
        "NOTIFIER_SHARDS": "2",
        "NOTIFIER_POLL_SECONDS": "0.2",
        "NOTIFIER_RETRY_BASE_SECONDS": "0.2",
        "NOTIFIER_RETRY_MAX_SECONDS": "1",
        "NOTIFIER_SEND_TIMEOUT_SECONDS": "2",
        "NOTIFIER_LEASE_SECONDS": "5",
    }


@pytest.fixture
async def innkeeper(notifier_env: dict[str, str], log_dir: Path) -> AsyncIterator[Innkeeper]:
    """The command service started (no projector, no query service); each test starts its notifier(s)."""
    system = Innkeeper(notifier_env, log_dir)
    try:
        await system.start(projectors=0, queries=0)
        yield system
    finally:
        await system.close()
