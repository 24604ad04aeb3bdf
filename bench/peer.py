"""The peer: the `eventsourcing` library (9.x) with its PostgreSQL persistence, one command per call.

Each command loads an existing aggregate from PostgreSQL (no aggregate cache, no snapshots; each has
one or two events), triggers one event with a StayBooked-sized payload and saves it: one transaction,
in which the library's recorder locks the table to keep notification ids in commit order (its answer
to the problem Innkeeper solves with an advisory lock). The library is synchronous (psycopg 3 pool),
so concurrency is given with threads, each with its own pooled connection; it runs in the bench
process itself, without HTTP in front, which flatters the peer. The figure compared is the best of
1, 8 and 32 threads.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from bench.samples import stay_booked_envelope

AGGREGATES = 1000


class Hotel(Aggregate):
    """A hotel that counts its bookings: enough state to load, decide and record one event."""

    @event("Registered")
    def __init__(self, name: str) -> None:
        self.name, self.bookings = name, 0

    @event("StayBooked")
    def book(self, booking: dict[str, Any]) -> None:
        self.bookings += 1


class Hotels(Application[UUID]):
    def register(self, count: int) -> list[UUID]:
        hotels = [Hotel(name=f"Peer Hotel {index}") for index in range(count)]
        self.save(*hotels)
        return [hotel.id for hotel in hotels]

    def book(self, hotel_id: UUID, booking: dict[str, Any]) -> None:
        hotel: Hotel = self.repository.get(hotel_id)
        hotel.book(booking)
        self.save(hotel)


def environment(dsn: str, pool_size: int) -> dict[str, str]:
    parts = urlsplit(dsn)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts.path.lstrip("/"),
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": parts.username or "postgres",
        "POSTGRES_PASSWORD": parts.password or "postgres",
        "POSTGRES_POOL_SIZE": str(pool_size),
        "CREATE_TABLE": "y",
    }


def commands_per_second(app: Hotels, hotel_ids: list[UUID], threads: int, duration: float) -> float:
    booking = stay_booked_envelope().data
    stop_at = time.monotonic() + duration
    counts: list[int] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        # Each thread owns a slice of the aggregates: no version conflicts, as with distinct hotels.
        rng, done, mine = random.Random(index), 0, hotel_ids[index::threads]
        while time.monotonic() < stop_at:
            app.book(rng.choice(mine), booking)
            done += 1
        with lock:
            counts.append(done)

    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(worker, range(threads)))
    return sum(counts) / (time.monotonic() - started)


def eventsourcing_peer(
    dsn: str, duration: float = 3.0, thread_counts: tuple[int, ...] = (1, 8, 32)
) -> dict[str, Any]:
    """Commands/s of the peer at each thread count; `per_s` is the best of them."""
    app = Hotels(env=environment(dsn, pool_size=max(thread_counts)))
    try:
        hotel_ids = app.register(AGGREGATES)
        rates = {
            str(threads): commands_per_second(app, hotel_ids, threads, duration) for threads in thread_counts
        }
    finally:
        app.close()
    best = max(rates, key=lambda threads: rates[threads])
    return {"per_s": rates[best], "best_threads": int(best), "by_threads": rates, "aggregates": AGGREGATES}
