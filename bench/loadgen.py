"""Load generator, run as its own process: `python -m bench.loadgen < spec.json` prints a JSON result.

Running the load in a separate process keeps the orchestrator's work (polling, bookkeeping) off the
measured path and gives the client its own interpreter (and GIL); the same generator drives the raw
FastAPI baseline and Innkeeper's services. Modes:
  get    closed loop: `concurrency` connections GET `paths` round robin for `duration` s (after warm-up);
         with `urls` (replicas of one service), the connections are dealt to them in turn
  book   closed loop: `concurrency` connections POST BookStay commands for `duration` s (with
         `idempotency_keys`: each with a fresh Idempotency-Key)
  fresh  open loop at `rate` commands/s: POST BookStay, then read the booking back with its token
         (every `read_every`-th booking only, when given; bench/fresh_load.py)
  book_client  as `book`, through innkeeper_client (bench/client_load.py)
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import sys
import time
import uuid
from typing import Any

import orjson
import uvloop

from bench import client_load
from bench.fresh_load import run_fresh
from bench.load_parts import book_stay_body, connection
from bench.stats import latency_summary

Spec = dict[str, Any]


async def run_get(spec: Spec) -> Spec:
    paths = itertools.cycle(spec["paths"])
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    measuring = False
    stop_at = time.monotonic() + spec.get("warmup", 1.0) + spec["duration"]

    urls = spec.get("urls") or [spec["url"]]

    async def worker(index: int) -> None:
        conn = connection(urls[index % len(urls)])
        while time.monotonic() < stop_at:
            started = time.monotonic()
            status, _, _ = await conn.request("GET", next(paths), headers=spec.get("headers"))
            if measuring:
                latencies.append(time.monotonic() - started)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
        await conn.close()

    tasks = [asyncio.create_task(worker(index)) for index in range(spec["concurrency"])]
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


async def run_book_client(spec: Spec) -> Spec:
    return await client_load.run_book_client(spec, book_stay_body)


MODES = {"get": run_get, "book": run_book, "book_client": run_book_client, "fresh": run_fresh}


def main() -> None:
    spec = orjson.loads(sys.stdin.buffer.read())
    result = uvloop.run(MODES[spec["mode"]](spec))
    result["cpu_s"] = time.process_time()
    # The event loop may leave stdout non-blocking: a result beyond the pipe's 64 KiB would be cut off.
    os.set_blocking(sys.stdout.fileno(), True)
    sys.stdout.buffer.write(orjson.dumps(result))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
