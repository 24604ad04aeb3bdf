"""The event faults against a running system (LocalSystem, one start): past events re-published, shuffled,
go out exactly as the relay sent them and change nothing (the projector counts them as duplicates, its
documents stay byte for byte); a poison event is parked with its reason and later events still apply."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import aio_pika
import asyncpg
import httpx
from aio_pika.abc import AbstractIncomingMessage
from pymongo import AsyncMongoClient
from testkit.waiting import wait_until

from conformance.commands import CommandMix
from conformance.faults_events import Poison, Redeliver
from conformance.load import LoadPlan
from conformance.seed import seed
from conformance.system import Endpoints
from conformance.system_local import LocalSystem
from conformance.transport_http import HttpClient

PLAN = LoadPlan(hotels=3, scarce_rooms=2, seed=7)
CHANGING = {"projector_status", "projector_processes", "parked_events", "parking_changes"}
"""Bookkeeping that a batch of duplicates updates (counters, heartbeats); the rest is the read model."""


class Wire:
    """Every message on `innkeeper.events` of the run's vhost, as consumers get it."""

    def __init__(self) -> None:
        self.messages: list[AbstractIncomingMessage] = []

    async def listen(self, amqp_url: str) -> aio_pika.abc.AbstractConnection:
        connection = await aio_pika.connect(amqp_url)
        channel = await connection.channel()
        queue = await channel.declare_queue(exclusive=True)
        await queue.bind("innkeeper.events", routing_key="#")
        await queue.consume(self._take, no_ack=True)
        return connection

    async def _take(self, message: AbstractIncomingMessage) -> None:
        self.messages.append(message)


async def status(endpoints: Endpoints) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {endpoints.admin_token}"}
    async with httpx.AsyncClient(timeout=5) as client:
        answer = await client.get(f"{endpoints.projector_urls[0]}/status", headers=headers)
    answer.raise_for_status()
    document: dict[str, Any] = answer.json()
    return document


def totals(report: dict[str, Any], counter: str) -> int:
    return sum(int(shard[counter]) for shard in report["shards"])


async def caught_up(endpoints: Endpoints) -> bool:
    connection = await asyncpg.connect(endpoints.postgres_dsn)
    try:
        outbox = await connection.fetchval("SELECT count(*) FROM outbox")
    finally:
        await connection.close()
    report = await status(endpoints)
    head, applied = int(report["log_head"]), int(report["applied_position"])
    return outbox == 0 and report["lag_events"] == 0 and applied == head


async def read_model(endpoints: Endpoints) -> dict[str, list[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(endpoints.mongodb_url)
    try:
        database = client[endpoints.mongodb_database]
        names = sorted(set(await database.list_collection_names()) - CHANGING)
        return {name: await database[name].find({}).sort("_id").to_list() for name in names}
    finally:
        await client.close()


async def parked(endpoints: Endpoints) -> list[dict[str, Any]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(endpoints.mongodb_url)
    try:
        return await client[endpoints.mongodb_database]["parked_events"].find({}).to_list()
    finally:
        await client.close()


async def some_commands(endpoints: Endpoints, count: int) -> None:
    """Hotels, then bookings and the rest of the load's mix over HTTP (answers as they come)."""
    data = await seed(endpoints, PLAN)
    mix, client = (
        CommandMix(data, PLAN.seed),
        HttpClient("faults", endpoints.command_urls, endpoints.admin_token),
    )
    try:
        for _ in range(count):
            answer = await client.attempt(mix.next(), str(uuid.uuid4()), 5.0)
            if answer.outcome == "accepted" and answer.reply and answer.reply.get("booking_id"):
                mix.booking_accepted(str(answer.reply["booking_id"]))
    finally:
        await client.close()


async def test_redeliveries_change_nothing_and_a_poison_event_is_parked(system: LocalSystem) -> None:
    endpoints, wire = system.endpoints, Wire()
    listening = await wire.listen(endpoints.amqp_url)
    try:
        await some_commands(endpoints, 30)
        await wait_until(lambda: caught_up(endpoints), 60, "the projector caught up with the log", 0.25)
        sent = len(wire.messages)
        before, documents = await status(endpoints), await read_model(endpoints)

        redeliver = Redeliver(sample=200, seed=3)
        await redeliver.inject(system)
        await redeliver.heal(system)
        assert 3 <= len(redeliver.published) == sent < 200  # all of them here: fewer than the sample
        assert redeliver.published != sorted(redeliver.published)  # out of order

        async def counted() -> bool:
            return totals(await status(endpoints), "duplicates") >= totals(before, "duplicates") + sent

        await wait_until(counted, 30, "every redelivery counted as a duplicate", 0.25)
        after = await status(endpoints)
        assert totals(after, "duplicates") == totals(before, "duplicates") + sent
        assert totals(after, "events_applied") == totals(before, "events_applied")
        assert await read_model(endpoints) == documents
        await wait_until(lambda: len(wire.messages) >= 2 * sent, 10, "the redeliveries on the wire")
        first = {message.message_id: message for message in wire.messages[:sent]}
        for message in wire.messages[sent:]:
            assert same_message(first[message.message_id], message)

        poison = Poison()
        await poison.inject(system)
        await some_commands(endpoints, 10)  # later events, on every shard

        async def poison_parked() -> bool:
            return (await status(endpoints))["parked"] == 1 and await caught_up(endpoints)

        await wait_until(poison_parked, 60, "the poison parked and everything later applied", 0.25)
        [entry] = await parked(endpoints)
        assert entry["_id"] == str(poison.event_id)
        assert (entry["kind"], entry["attempts"]) == ("failed", 1)
        assert entry["reason"].startswith("invalid event: HotelRegistered data:")
        assert "stars" in entry["reason"]
        assert str(poison.hotel_id) not in str(await read_model(endpoints))
    finally:
        await asyncio.shield(listening.close())


def same_message(relayed: AbstractIncomingMessage, republished: AbstractIncomingMessage) -> bool:
    """Everything a consumer sees of a message, but the broker's own (redelivered flag, tag)."""

    def seen(message: AbstractIncomingMessage) -> tuple[Any, ...]:
        return (
            message.body,
            message.routing_key,
            message.exchange,
            message.message_id,
            message.correlation_id,
            message.type,
            message.content_type,
            message.delivery_mode,
            message.priority,
            message.headers,
        )

    return seen(relayed) == seen(republished)
