"""Raw limits of the parts Innkeeper is made of, measured with the same client machinery it uses."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aio_pika
from pymongo import AsyncMongoClient, UpdateOne

from bench.samples import hotel_night_document, stay_booked_envelope

Result = dict[str, Any]


async def rabbitmq(url: str, duration: float = 3.0, window: int = 256) -> Result:
    """Persistent publishes with pipelined confirms, then consumption of them all with manual acks."""
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange("bench.raw", aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue("bench.raw.events", durable=True)
        await queue.bind(exchange, "#")
        published, publish_s = await _publish(exchange, duration, window)
        consumed_s = await _consume(connection, "bench.raw.events", published, prefetch=window)
    finally:
        await connection.close()
    return {"published": published, "publish_per_s": published / publish_s,
            "consume_per_s": published / consumed_s, "window": window,
            "body_bytes": len(stay_booked_envelope().model_dump_json())}  # fmt: skip


async def _publish(
    exchange: aio_pika.abc.AbstractExchange, duration: float, window: int
) -> tuple[int, float]:
    body = stay_booked_envelope().model_dump_json().encode()
    slots, pending = asyncio.Semaphore(window), set[asyncio.Task[Any]]()

    async def publish_one() -> None:
        try:
            message = aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
            await exchange.publish(message, routing_key="booking.stay_booked")
        finally:
            slots.release()

    count, started = 0, time.monotonic()
    while time.monotonic() - started < duration:
        await slots.acquire()
        task = asyncio.create_task(publish_one())
        pending.add(task)
        task.add_done_callback(pending.discard)
        count += 1
    await asyncio.gather(*pending)
    return count, time.monotonic() - started


async def _consume(
    connection: aio_pika.abc.AbstractConnection, name: str, total: int, prefetch: int
) -> float:
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=prefetch)
    queue = await channel.get_queue(name)
    done, count = asyncio.Event(), 0

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        nonlocal count
        await message.ack()
        count += 1
        if count >= total:
            done.set()

    started = time.monotonic()
    await queue.consume(on_message)
    await asyncio.wait_for(done.wait(), timeout=120)
    return time.monotonic() - started


async def mongodb_bulk(
    url: str, database: str, duration: float = 4.0, batch: int = 500, writers: int = 4
) -> Result:
    """bulk_write of `batch` upserts (new ids, hotel-night shaped documents) from `writers` concurrent
    writers, each one batch after another: as many as the projector has shards (PROJECTOR_SHARDS=4).
    """
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url)
    collection = client[database]["bench_upserts"]
    stop_at = time.monotonic() + duration

    async def writer(first: int) -> int:
        written, index = 0, first
        while time.monotonic() < stop_at:
            operations = [
                UpdateOne({"_id": f"doc-{i}"}, {"$set": hotel_night_document(i)}, upsert=True)
                for i in range(index, index + batch)
            ]
            index += batch
            result = await collection.bulk_write(operations, ordered=False)
            written += result.upserted_count + result.modified_count
        return written

    try:
        started = time.monotonic()
        written = sum(await asyncio.gather(*(writer(n * 100_000_000) for n in range(writers))))
        elapsed = time.monotonic() - started
        await client.drop_database(database)
    finally:
        await client.close()
    return {"batch": batch, "writers": writers, "documents": written, "per_s": written / elapsed}
