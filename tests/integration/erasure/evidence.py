"""Where Innkeeper keeps data, read back whole for the erasure story: every row of every table (event log,
write model, the notifier's schema), every MongoDB document (read model, checkpoints, parked events), the
dead-letter queues' messages (read without taking them), and copies of logged events published anew."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID, uuid4

import aio_pika
import asyncpg
from pymongo import AsyncMongoClient

from innkeeper_contracts.envelope import event_class
from innkeeper_contracts.topology import COMMANDS_DEAD_LETTER_QUEUE, EVENTS_EXCHANGE, event_headers
from innkeeper_kit.personal import sealed_key_ids
from notifier.topology import DEAD_LETTER_QUEUE as NOTIFIER_DEAD_LETTERS


async def every_row(dsn: str) -> str:
    """Every row of every table outside PostgreSQL's own schemas, as text."""
    connection = await asyncpg.connect(dsn)
    try:
        tables = await connection.fetch(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
            " AND table_schema NOT IN ('pg_catalog', 'information_schema')"
        )
        rows = []
        for table in tables:
            name = f'"{table["table_schema"]}"."{table["table_name"]}"'
            rows += [row[0] for row in await connection.fetch(f"SELECT t::text FROM {name} t")]
        return "\n".join(rows)
    finally:
        await connection.close()


async def every_document(url: str, database: str) -> str:
    """Every document of every collection of the test's MongoDB database, as JSON text."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url)
    try:
        db = client[database]
        found = [
            json.dumps(document, default=str)
            for name in await db.list_collection_names()
            async for document in db[name].find({})
        ]
        return "\n".join(found)
    finally:
        await client.close()


async def dead_letter_bodies(amqp_url: str) -> list[str]:
    """The bodies in the notifier's and the command service's dead-letter queues; every message is put
    back (got without an ack, the channel closed)."""
    bodies = []
    connection = await aio_pika.connect(amqp_url)
    try:
        for queue_name in (NOTIFIER_DEAD_LETTERS, COMMANDS_DEAD_LETTER_QUEUE):
            channel = await connection.channel()
            try:
                queue = await channel.declare_queue(queue_name, passive=True)
            except aio_pika.exceptions.ChannelClosed:
                continue  # not declared in this vhost
            while (message := await queue.get(no_ack=False, fail=False)) is not None:
                bodies.append(message.body.decode(errors="replace"))
            await channel.close()
    finally:
        await connection.close()
    return bodies


async def publish_copy(
    amqp_url: str, row: asyncpg.Record, *, schema_version: int, new_aggregate: bool
) -> None:
    """Publish a logged event again as the relay would, as a new event of another schema version (and,
    when asked, of a new aggregate): its data, sealed fields included, as logged."""
    envelope = {
        "event_id": str(uuid4()),
        "event_type": row["event_type"],
        "schema_version": schema_version,
        "aggregate_type": row["aggregate_type"],
        "aggregate_id": str(uuid4() if new_aggregate else row["aggregate_id"]),
        "aggregate_version": 1 if new_aggregate else row["aggregate_version"],
        "global_position": row["global_position"],
        "partition_key": row["partition_key"],
        "occurred_at": row["occurred_at"].isoformat(),
        "correlation_id": row["correlation_id"],
        "causation_id": row["causation_id"],
        "data": json.loads(row["data"]) if isinstance(row["data"], str) else row["data"],
    }
    headers = event_headers(
        partition_key=row["partition_key"], event_type=row["event_type"], correlation_id=row["correlation_id"]
    )
    message = aio_pika.Message(
        json.dumps(envelope).encode(),
        message_id=envelope["event_id"],
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        type=row["event_type"],
        headers=dict(headers),
    )
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)
        routing_key = event_class(row["event_type"]).routing_key()
        await exchange.publish(message, routing_key=routing_key, mandatory=True)
    finally:
        await connection.close()


def sealed_key_ids_of(log_data: list[str], guest_id: str) -> set[UUID]:
    """The key ids of the sealed texts in the events (their `data` as JSON text) of one guest."""
    found: set[UUID] = set()
    for text in log_data:
        data = json.loads(text)
        guest = data.get("guest", {}).get("guest_id") if isinstance(data.get("guest"), dict) else None
        if (guest or data.get("guest_id")) == guest_id:
            found |= sealed_key_ids(data)
    return found
