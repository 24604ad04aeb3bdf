"""BookStay through the integrators' client (`innkeeper_client`), for `python -m bench.loadgen` mode
`book_client`: the same closed loop and bodies as the raw `book` mode, so the two rates compare what
the client costs a caller (typed models, its headers, its httpx pool) on this 2-core machine, where the
client's cycles are also cycles the server does not get."""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from bench.stats import latency_summary
from innkeeper_client import NO_RETRIES, InnkeeperClient, InnkeeperError
from innkeeper_contracts import BookStay

Spec = dict[str, Any]


async def run_book_client(spec: Spec, book_stay_body: Any) -> Spec:
    rng = random.Random(spec.get("seed", 1))
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    token = spec["headers"]["authorization"].removeprefix("Bearer ")
    began_wall, stop_at = time.time(), time.monotonic() + spec["duration"]
    # No retries: like the raw loop, one request per command (a 503 is counted, not repeated).
    client = InnkeeperClient(spec["url"], token=token, retry=NO_RETRIES)

    async def worker() -> None:
        while time.monotonic() < stop_at:
            started = time.monotonic()
            command = BookStay.model_validate_json(book_stay_body(spec["hotels"], rng))
            try:
                await client.book_stay(command)
                status = 202
            except InnkeeperError as error:
                status = error.status or 0
            latencies.append(time.monotonic() - started)
            statuses[str(status)] = statuses.get(str(status), 0) + 1

    async with client:
        await asyncio.gather(*(worker() for _ in range(spec["concurrency"])))
    return {"began_wall": began_wall, "ended_wall": time.time(), "accepted": statuses.get("202", 0),
            "statuses": statuses, **latency_summary(latencies)}  # fmt: skip
