"""What the running system reports about itself, read from the outside: the outbox and the notifier's
open deliveries (SQL), the projectors' `/status`, and RabbitMQ's queues (management API)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import asyncpg
import httpx

from conformance.checks_verdict import Verdict, first

# Queues that hold what could not be processed (docs/architecture.md, the topology modules): they have no
# consumer by design, and hold messages only when a fault parked or dead-lettered something.
HOLDING = ("dead-letter", "dlx", "parking", "parked", "retry")
STATS_SETTLE = 12.0  # the management API samples queue depths every 5 s by default


@dataclass(frozen=True)
class Backlog:
    head: int  # the log's highest global position
    outbox: int
    deliveries_open: int  # notifier deliveries pending or sending


async def backlog(dsn: str) -> Backlog:
    connection = await asyncpg.connect(dsn, timeout=5)
    try:
        head = await connection.fetchval("SELECT coalesce(max(global_position), 0) FROM events")
        outbox = await connection.fetchval("SELECT count(*) FROM outbox")
        try:
            open_ = await connection.fetchval(
                "SELECT count(*) FROM notifier.deliveries WHERE state IN ('pending', 'sending')"
            )
        except asyncpg.UndefinedTableError:  # no notifier ever started on this database
            open_ = 0
    finally:
        await connection.close()
    return Backlog(int(head), int(outbox), int(open_))


async def projector_status(urls: list[str], token: str) -> list[dict[str, Any] | str]:
    """Each replica's `/status`, or why it did not answer."""
    async with httpx.AsyncClient(timeout=5, headers={"Authorization": f"Bearer {token}"}) as client:

        async def one(url: str) -> dict[str, Any] | str:
            try:
                answer = await client.get(f"{url}/status")
            except httpx.HTTPError as error:
                return f"{url}: {type(error).__name__}"
            if answer.status_code != 200:
                return f"{url}: HTTP {answer.status_code}"
            body: dict[str, Any] = answer.json()
            return body

        return list(await asyncio.gather(*(one(url) for url in urls)))


def shard_faults(statuses: list[dict[str, Any] | str], head: int) -> list[str]:
    """A replica that does not answer, lags, stops short of the log head, or reports a mismatch."""
    faults = []
    for status in statuses:
        if isinstance(status, str):
            faults.append(status)
            continue
        applied, lag = int(status.get("applied_position", -1)), int(status.get("lag_events", -1))
        if lag != 0 or applied != head:
            faults.append(f"applied {applied} lag {lag} head {head}")
        if mismatch := status.get("mismatch"):  # added by the reconciliation; absent before it
            faults.append(f"mismatch {mismatch}")
        reconcile = status.get("reconcile")
        if isinstance(reconcile, dict) and (
            reconcile.get("state", "ok") != "ok" or reconcile.get("missing_events")
        ):
            faults.append(f"reconcile {reconcile.get('state')} missing {reconcile.get('missing_events')}")
    return faults


def repaired(statuses: list[dict[str, Any] | str]) -> int:
    """Events the replicas' reconciliation applied again from the log (0 before it existed)."""
    return sum(
        int((status.get("reconcile") or {}).get("repaired_events", 0))
        for status in statuses
        if isinstance(status, dict)
    )


def outbox_drained(outbox: int) -> Verdict:
    return Verdict("outbox-drained", outbox == 0, f"{outbox:,} rows left in the outbox")


def holding(name: str) -> bool:
    return any(marker in name for marker in HOLDING)


def queue_faults(queues: list[dict[str, Any]], expect_parked: int) -> list[str]:
    faults = []
    for queue in queues:
        name, messages = str(queue["name"]), int(queue.get("messages") or 0)
        if name.startswith("amq.") or queue.get("exclusive"):  # a client's reply queue
            continue
        if holding(name):
            if messages and not expect_parked:
                faults.append(f"{name} holds {messages}")
        elif int(queue.get("consumers") or 0) < 1 or messages:
            faults.append(f"{name} {queue.get('consumers', 0)} consumers {messages} messages")
    return faults


async def queues(management_url: str, user: str, password: str, vhost: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(auth=(user, password), timeout=10) as client:
        answer = await client.get(f"{management_url}/api/queues/{quote(vhost, safe='')}")
        answer.raise_for_status()
        found: list[dict[str, Any]] = answer.json()
        return found


async def no_idle_consumers(
    management_url: str, user: str, password: str, vhost: str, expect_parked: int
) -> Verdict:
    """Polled until it holds or the management API's sampling had time to catch up."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STATS_SETTLE
    while True:
        listed = await queues(management_url, user, password, vhost)
        faults = queue_faults(listed, expect_parked)
        if not faults or loop.time() >= deadline:
            break
        await asyncio.sleep(1.0)
    detail = f"{len(listed):,} queues, {len(faults):,} idle, unconsumed or holding"
    return Verdict("no-idle-consumers", not faults, detail + first(faults, 3))
