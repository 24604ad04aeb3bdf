"""The conformance load against a real command service: every command ends in the journal, the mix
reaches the system over both transports, and each accepted key is the correlation id of its events."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest
from testkit.auth import auth_env, issuer
from testkit.infra import free_port
from testkit.proxy import TcpProxy, through
from testkit.services import ServiceProcess
from testkit.waiting import wait_until

from conformance.commands import MIX, Command
from conformance.journal import Journal
from conformance.load import LoadPlan, LoadStats, drive
from conformance.seed import seed
from conformance.transport_amqp import AmqpClient
from conformance.transport_http import HttpClient

BUSINESS_RULE = "https://innkeeper.dev/problems/business-rule"
PLAN = LoadPlan(rate=30, seconds=5, clients=4, hotels=4, scarce_rooms=2, seed=20, answer_grace=10)


@dataclass(frozen=True)
class Target:
    command_urls: list[str]
    amqp_url: str
    admin_token: str


@pytest.fixture
async def command_service(postgres_dsn: str, rabbitmq_url: str, log_dir: Path) -> AsyncIterator[Target]:
    env = {"POSTGRES_DSN": postgres_dsn, "RABBITMQ_URL": rabbitmq_url, **auth_env(rabbitmq_url)}
    with ServiceProcess("command_service", env, free_port(), log_dir) as service:
        async with httpx.AsyncClient(base_url=service.url, timeout=5) as client:

            async def ready() -> bool:
                answer = await client.get("/readyz")
                return answer.status_code == 200 and answer.json().get("rabbitmq") == "up"

            await wait_until(ready, 30, "the command service ready with its AMQP intake")
        yield Target([service.url], rabbitmq_url, issuer().token("admin", "conformance-load"))


async def test_the_load_reaches_the_system_over_both_transports(
    command_service: Target, postgres_dsn: str
) -> None:
    data = await seed(command_service, PLAN)
    journal, stats = Journal(), LoadStats()

    await drive(command_service, PLAN, data, journal, asyncio.Event(), stats)

    counts = journal.counts()
    print(
        f"\nplanned {PLAN.rate}/s, sent {stats.sent} in {stats.seconds:.2f} s = {stats.rate:.1f}/s; {counts}"
    )
    assert counts["accepted"] + counts["rejected"] + counts["unanswered"] == counts["sent"] == stats.sent
    assert stats.skipped == 0
    assert {record.transport for record in journal.accepted()} == {"http", "amqp"}
    for name in MIX:
        assert counts.get(f"accepted:{name}", 0) > 0, f"no {name} accepted: {counts}"
    no_room = [r for r in journal.records() if r.command == "BookStay" and r.problem == BUSINESS_RULE]
    assert no_room, "the scarce rooms were never full"
    refusals = {r.problem for r in journal.records() if r.outcome == "rejected"}
    assert refusals == {BUSINESS_RULE}, "the load sends no invalid command on purpose"
    accepted = data.records + journal.accepted()
    assert all(record.reply and record.reply["correlation_id"] == record.key for record in accepted)

    events = await correlation_ids_in_the_log(postgres_dsn)
    assert [r.key for r in accepted if r.key not in events] == []
    assert [r.key for r in journal.records() if r.outcome == "rejected" and r.key in events] == []


async def test_a_retried_key_gets_the_first_answer_over_both_transports(command_service: Target) -> None:
    data = await seed(command_service, LoadPlan(hotels=1, scarce_rooms=1))
    hotel = data.hotels[0].hotel_id
    http = HttpClient("http-0", command_service.command_urls, command_service.admin_token)
    amqp = await AmqpClient("amqp-0", command_service.amqp_url).open()
    try:
        for client in (http, amqp):
            stay = booking(hotel, data.first_night + timedelta(days=10 if client is http else 20))
            key = str(uuid.uuid4())
            first = await client.attempt(stay, key, wait=10)
            client.forget(key)
            again = await client.attempt(stay, key, wait=10)
            client.forget(key)
            assert first.outcome == again.outcome == "accepted", (client.name, first, again)
            assert again.reply == first.reply
            assert first.reply is not None
            assert first.reply["correlation_id"] == key
    finally:
        await http.close()
        await amqp.close()


def booking(hotel_id: str, check_in: date) -> Command:
    guest = {"guest_id": "retry-guest", "name": "Retry Guest", "email": "retry@conformance.example"}
    body = {"hotel_id": hotel_id, "room_type": "STD", "guest": guest, "guests": 1}
    nights = {"check_in": check_in.isoformat(), "check_out": (check_in + timedelta(days=2)).isoformat()}
    return Command("BookStay", body | nights)


async def correlation_ids_in_the_log(dsn: str) -> set[str]:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch("SELECT DISTINCT correlation_id FROM events")
    finally:
        await connection.close()
    return {row["correlation_id"] for row in rows}


async def test_amqp_clients_survive_an_outage_of_their_broker(command_service: Target) -> None:
    """The load's way to the broker is cut for 3 s mid-load (as in a broker restart): the client reconnects,
    declares its reply queue again, and every command sent meanwhile, or answered into the old queue, is
    answered on a retry with its key."""
    proxy = TcpProxy.to(command_service.amqp_url, 5672)
    await proxy.start()
    target = replace(command_service, amqp_url=through(command_service.amqp_url, proxy))
    plan = LoadPlan(rate=20, seconds=8, clients=2, hotels=2, seed=3, answer_grace=20, reply_timeout=2)
    data = await seed(target, plan)
    journal, stats = Journal(), LoadStats()
    load = asyncio.create_task(drive(target, plan, data, journal, asyncio.Event(), stats))

    await asyncio.sleep(2)
    await proxy.cut()
    await asyncio.sleep(3)
    await proxy.restore()
    await load

    amqp = [record for record in journal.records() if record.transport == "amqp"]
    retried = [record for record in amqp if record.attempts > 1]
    print(f"\namqp {len(amqp)} sent, {len(retried)} retried; {journal.counts()}")
    assert [record for record in amqp if record.outcome == "unanswered"] == []
    assert any(2.5 < record.sent_at < 4.5 for record in retried), "no command was sent during the cut"
    assert any(record.outcome == "accepted" and record.sent_at > 6 for record in amqp)
