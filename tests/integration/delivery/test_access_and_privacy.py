"""The notifier's HTTP routes by role, no guest or management address in its logs, and no guest's
address or name in its records (the command service seals them; the notifier opens them to send)."""

from __future__ import annotations

import httpx
from testkit.auth import bearer
from testkit.innkeeper import Innkeeper
from testkit.mail import MailCatcher
from testkit.waiting import wait_until

from delivery.support import book_and_cancel, settled
from innkeeper_contracts import Role

ROLES: list[Role | None] = [None, "guest", "staff", "admin", "service"]


async def test_probes_are_open_and_metrics_are_for_operators(innkeeper: Innkeeper) -> None:
    notifier = await innkeeper.start_notifier()
    expected = {None: 401, "guest": 403, "staff": 403, "admin": 200, "service": 200}
    for role in ROLES:
        headers = bearer(role, hotels=["9b1c6f7e-2f3d-4c5b-8a1e-6d2f0a3b4c5d"]) if role else {}
        async with httpx.AsyncClient(base_url=notifier.url, headers=headers, timeout=10) as client:
            assert (await client.get("/healthz")).status_code == 200
            assert (await client.get("/readyz")).status_code == 200
            metrics = await client.get("/metrics")
        assert metrics.status_code == expected[role], role
        if expected[role] == 200:
            assert "innkeeper_notifier_deliveries_total" in metrics.text
            assert "process_cpu_seconds_total" in metrics.text
        else:
            assert metrics.headers["content-type"] == "application/problem+json"


async def test_no_address_reaches_the_log(innkeeper: Innkeeper, mail: MailCatcher) -> None:
    notifier = await innkeeper.start_notifier(LOG_LEVEL="DEBUG")
    await book_and_cancel(innkeeper)
    await wait_until(lambda: settled(innkeeper, 3, "mail"), 30, "the three mails delivered")
    assert len(mail.messages()) == 3
    logs = notifier.logs()
    assert '"event":"delivered"' in logs
    for address in ("ann@example.com", "boss@harbour.example"):
        assert address not in logs
    records = "\n".join(row[0] for row in await innkeeper.fetch("SELECT d::text FROM notifier.deliveries d"))
    assert "sealed:v1:" in records
    for personal in ("ann@example.com", "Ann Berg"):
        assert personal not in records
