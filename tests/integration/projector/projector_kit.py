"""Helpers for the projector tests: publish like the relay, read the read model, run the CLI, wait."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import aio_pika
import orjson
import psycopg
from pymongo.database import Database
from testkit.infra import free_port
from testkit.services import ServiceProcess

from innkeeper_contracts import EventEnvelope
from innkeeper_contracts.documents import collection_name
from innkeeper_contracts.topology import EVENTS_EXCHANGE, PARTITION_KEY_HEADER, event_headers


class Bus:
    """Writes events to the log and publishes them to `innkeeper.events` as the outbox relay does."""

    def __init__(self, amqp_url: str, dsn: str) -> None:
        self.amqp_url, self.dsn = amqp_url, dsn
        self.published = 0

    async def connect(self) -> None:
        self.connection = await aio_pika.connect_robust(self.amqp_url)
        self.channel = await self.connection.channel(publisher_confirms=True)
        self.exchange = await self.channel.declare_exchange(
            EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
        )

    async def close(self) -> None:
        await self.connection.close()

    def append(self, envelopes: Iterable[EventEnvelope]) -> None:
        """INSERT into the `events` table (what the command service commits before publishing)."""
        rows = [
            (
                e.global_position,
                e.event_id,
                e.event_type,
                e.schema_version,
                e.aggregate_type,
                e.aggregate_id,
                e.aggregate_version,
                e.partition_key,
                e.occurred_at,
                e.correlation_id,
                e.causation_id,
                orjson.dumps(e.data).decode(),
            )
            for e in envelopes
        ]
        with psycopg.connect(self.dsn, autocommit=True) as connection, connection.cursor() as cursor:
            cursor.executemany("INSERT INTO events VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s::jsonb)", rows)

    def fix(self, event_id: str, field: str, value: str) -> None:
        """An operator corrects one event's data in the log."""
        with psycopg.connect(self.dsn, autocommit=True) as connection:
            connection.execute(
                "UPDATE events SET data = jsonb_set(data, %s, to_jsonb(%s::text)) WHERE event_id = %s",
                ([field], value, event_id),
            )

    async def publish(self, envelopes: Iterable[EventEnvelope]) -> None:
        for envelope in envelopes:
            await self.exchange.publish(message(envelope), routing_key=envelope.routing_key, mandatory=True)
            self.published += 1

    async def publish_raw(self, body: bytes, partition_key: str) -> None:
        raw = aio_pika.Message(
            body, headers={PARTITION_KEY_HEADER: partition_key}, message_id=uuid.uuid4().hex
        )
        await self.exchange.publish(raw, routing_key="booking.stay_booked")
        self.published += 1


def message(envelope: EventEnvelope) -> aio_pika.Message:
    return aio_pika.Message(
        envelope.model_dump_json().encode(),
        message_id=str(envelope.event_id),
        correlation_id=envelope.correlation_id,
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        type=envelope.event_type,
        headers=event_headers(
            partition_key=envelope.partition_key,
            event_type=envelope.event_type,
            correlation_id=envelope.correlation_id,
        ),
    )


class ReadModel:
    """The read documents as the query service sees them: through the generation alias."""

    def __init__(self, database: Database[dict[str, Any]]) -> None:
        self.database = database

    def generation(self) -> str:
        alias = self.database["read_model_generations"].find_one({"_id": "active"})
        return str(alias["generation"]) if alias else ""

    def docs(self, base: str, generation: str | None = None) -> dict[str, dict[str, Any]]:
        name = collection_name(base, generation or self.generation())
        return {d["_id"]: d for d in self.database[name].find({}, {"_rev": 0})}

    def checkpoints(self) -> dict[str, int]:
        return {k: d["version"] for k, d in self.docs("checkpoints").items()}

    def deliveries(self) -> int:
        return sum(d.get("deliveries", 0) for d in self.database["projector_status"].find({}))

    def parked(self, status: str | None = "parked") -> list[dict[str, Any]]:
        """The entries of the parking lot with this status (None: every entry)."""
        query = {} if status is None else {"status": status}
        return list(self.database["parked_events"].find(query).sort("aggregate_version"))

    def snapshot(self) -> dict[str, dict[str, dict[str, Any]]]:
        bases = ["hotel_cards", "hotel_details", "hotel_nights", "bookings", "management_alerts"]
        return {base: self.docs(base) for base in bases}


async def run_cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    """Run `python -m projector <args>` and return its exit code and output."""
    import os

    completed = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "projector", *args],
        env={**os.environ, **env, "LOG_FORMAT": "json"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return completed.returncode, completed.stdout + completed.stderr


async def assert_verified(env: dict[str, str]) -> None:
    """`python -m projector verify` finds the live read model equal to a rebuild from the log."""
    code, output = await run_cli(env, "verify")
    assert code == 0, output
    assert "0 differences" in output


def start_projector(env: dict[str, str], log_dir: Path, started: list[ServiceProcess]) -> ServiceProcess:
    """Start `python -m projector` (waits for /healthz); the `projectors` fixture stops it."""
    process = ServiceProcess("projector", env, free_port(), log_dir).start()
    started.append(process)
    return process
