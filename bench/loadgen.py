"""Load generator, run as its own process: `python -m bench.loadgen < spec.json` prints a JSON result.

Running the load in a separate process keeps the orchestrator's work (polling, bookkeeping) off the
measured path and gives the client its own interpreter (and GIL); the same generator drives the raw
FastAPI baseline and Innkeeper's services. Modes:
  get    closed loop: `concurrency` connections GET `paths` round robin for `duration` s (after warm-up)
  book   closed loop: `concurrency` connections POST BookStay commands for `duration` s (with
         `idempotency_keys`: each with a fresh Idempotency-Key)
  fresh  open loop at `rate` commands/s: POST BookStay, then read the booking back with its token
         (every `read_every`-th booking only, when given)
  book_client  as `book`, through innkeeper_client (bench/client_load.py)
"""

from __future__ import annotations

import asyncio
import itertools
import random
import sys
import time
import uuid
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import orjson
import uvloop

from bench import client_load
from bench.httpclient import Connection
from bench.stats import latency_summary

Spec = dict[str, Any]


def connection(url: str) -> Connection:
    parts = urlsplit(url)
    return Connection(parts.hostname or "127.0.0.1", parts.port or 80)


def book_stay_body(hotels: list[list[Any]], rng: random.Random) -> bytes:
    """A BookStay for a random hotel and room type, 1-3 nights within the next year."""
    hotel_id, codes = rng.choice(hotels)
    check_in = date.today() + timedelta(days=rng.randint(2, 360))
    guest = rng.randint(1, 1_000_000)
    return orjson.dumps(
        {
            "booking_id": str(uuid.uuid4()),
            "hotel_id": hotel_id,
            "room_type": rng.choice(codes),
            "guest": {"guest_id": f"g-{guest}", "name": "Bench Guest", "email": f"g{guest}@bench-mail.io"},
            "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=rng.randint(1, 3))).isoformat(),
            "guests": 1,
        }
    )


async def run_get(spec: Spec) -> Spec:
    paths = itertools.cycle(spec["paths"])
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    measuring = False
    stop_at = time.monotonic() + spec.get("warmup", 1.0) + spec["duration"]

    async def worker() -> None:
        conn = connection(spec["url"])
        while time.monotonic() < stop_at:
            started = time.monotonic()
            status, _, _ = await conn.request("GET", next(paths), headers=spec.get("headers"))
            if measuring:
                latencies.append(time.monotonic() - started)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
        await conn.close()

    tasks = [asyncio.create_task(worker()) for _ in range(spec["concurrency"])]
    await asyncio.sleep(spec.get("warmup", 1.0))
    measuring, began = True, time.monotonic()
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - began
    ok = statuses.get("200", 0)
    return {"requests": len(latencies), "ok": ok, "rps": ok / elapsed, "statuses": statuses,
            **latency_summary(latencies)}  # fmt: skip


async def run_book(spec: Spec) -> Spec:
    rng = random.Random(spec.get("seed", 1))
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    began_wall = time.time()
    stop_at = time.monotonic() + spec["duration"]

    async def worker() -> None:
        conn = connection(spec["url"])
        while time.monotonic() < stop_at:
            started = time.monotonic()
            body, headers = book_stay_body(spec["hotels"], rng), spec.get("headers", {})
            if spec.get("idempotency_keys"):  # as every client sends them: the service stores each key
                headers = {**headers, "Idempotency-Key": uuid.uuid4().hex}
            status, _, _ = await conn.request("POST", "/bookings", body, headers=headers)
            latencies.append(time.monotonic() - started)
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        await conn.close()

    await asyncio.gather(*(worker() for _ in range(spec["concurrency"])))
    return {"began_wall": began_wall, "ended_wall": time.time(), "accepted": statuses.get("202", 0),
            "statuses": statuses, **latency_summary(latencies)}  # fmt: skip


async def run_fresh(spec: Spec) -> Spec:
    rng = random.Random(spec.get("seed", 2))
    freshness: list[float] = []
    records: list[list[Any]] = []
    outcomes: dict[str, int] = {}
    pool: asyncio.Queue[tuple[Connection, Connection]] = asyncio.Queue()
    for _ in range(spec.get("connections", 32)):
        pool.put_nowait((connection(spec["url"]), connection(spec["query_url"])))

    # When the last command was sent, seconds after the first: beyond `duration` when the connection
    # pool held the open loop back.
    sent_until = 0.0

    async def one(index: int, at: float) -> None:
        nonlocal sent_until
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        command, query = await pool.get()
        sent_until = max(sent_until, time.monotonic() - start)
        try:
            read = index % spec.get("read_every", 1) == 0
            outcome = await book_and_read(command, query, rng, freshness, records, spec, read=read)
        finally:
            pool.put_nowait((command, query))
        outcomes[outcome] = outcomes.get(outcome, 0) + 1

    start, count = time.monotonic() + 0.1, int(spec["rate"] * spec["duration"])
    began_wall = time.time() + 0.1
    await asyncio.gather(*(one(i, start + i / spec["rate"]) for i in range(count)))
    return {"commands": count, "outcomes": outcomes, "records": records, "began_wall": began_wall,
            "sent_until_s": sent_until, **latency_summary(freshness)}  # fmt: skip


async def book_and_read(
    command: Connection,
    query: Connection,
    rng: random.Random,
    out: list[float],
    records: list[list[Any]],
    spec: Spec,
    read: bool = True,
) -> str:
    """POST a booking; on 202 GET it with the consistency token until it is there (bounded); without
    `read`, the 202 alone (outcome "accepted").

    Without the spec's `token` the booking is polled every 2 ms until it exists (no help from the query
    gate). The command and the read each carry their caller's bearer token (`headers`, `query_headers`).

    Records [aggregate id, wall time of the 202, wall time of the fresh answer, gate wait in ms].
    """
    book = book_stay_body(spec["hotels"], rng)
    status, _, body = await command.request("POST", "/bookings", book, headers=spec.get("headers"))
    if status != 202:
        return f"command-{status}"
    if not read:
        return "accepted"
    accepted_at, accepted_wall, answer = time.monotonic(), time.time(), orjson.loads(body)
    headers = dict(spec.get("query_headers", {}))
    if spec.get("token", True):
        headers["X-Consistency-Token"] = answer["consistency_token"]
    path = f"/bookings/{answer['aggregate_id']}"
    while time.monotonic() - accepted_at < 10:
        status, response_headers, _ = await query.request("GET", path, headers=headers)
        if status == 200 and response_headers.get("x-consistency", "caught-up") != "stale":
            out.append(time.monotonic() - accepted_at)
            waited = float(response_headers.get("x-consistency-waited-ms", "0"))
            records.append([answer["aggregate_id"], accepted_wall, time.time(), waited])
            return "fresh"
        await asyncio.sleep(0.002)
    return "timeout"


async def run_book_client(spec: Spec) -> Spec:
    return await client_load.run_book_client(spec, book_stay_body)


MODES = {"get": run_get, "book": run_book, "book_client": run_book_client, "fresh": run_fresh}


def main() -> None:
    spec = orjson.loads(sys.stdin.buffer.read())
    result = uvloop.run(MODES[spec["mode"]](spec))
    result["cpu_s"] = time.process_time()
    sys.stdout.buffer.write(orjson.dumps(result))


if __name__ == "__main__":
    main()
