"""Sees events as the relay publishes them: a bench-owned queue bound to `innkeeper.events` with `#`.

Used to split freshness into "202 -> published" (outbox + relay) and "published -> readable"
(projector + store + query gate). Runs its own event loop in a thread; costs one extra queue per event.
"""

from __future__ import annotations

import asyncio
import threading
import time

import aio_pika
import orjson

from innkeeper_contracts.topology import EVENTS_EXCHANGE


class PublishObserver:
    """Records, per aggregate id, the wall time its first event arrived on the bench queue."""

    def __init__(self, amqp_url: str) -> None:
        self.url = amqp_url
        self.seen: dict[str, float] = {}
        self._ready, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self.error: BaseException | None = None

    def start(self) -> PublishObserver:
        self._thread.start()
        self._ready.wait(timeout=15)
        if self.error is not None:
            raise self.error
        return self

    async def _run(self) -> None:
        try:
            connection = await aio_pika.connect(self.url)
        except BaseException as error:
            self.error = error
            self._ready.set()
            return
        async with connection:
            channel = await connection.channel()
            await channel.set_qos(prefetch_count=500)
            queue = await channel.declare_queue(exclusive=True, auto_delete=True)
            await queue.bind(EVENTS_EXCHANGE, "#")
            await queue.consume(self._on_message, no_ack=True)
            self._ready.set()
            await asyncio.to_thread(self._stop.wait)

    async def _on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        arrived = time.time()
        aggregate_id = str(orjson.loads(message.body)["aggregate_id"])
        self.seen.setdefault(aggregate_id, arrived)

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join(timeout=10)
        return self.seen
