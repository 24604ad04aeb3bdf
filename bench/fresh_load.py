"""The load generator's `fresh` mode: BookStay in an open loop at a fixed rate, each 202 (or every
`read_every`-th) read back with its consistency token until the booking is readable."""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

import orjson

from bench.httpclient import Connection
from bench.load_parts import book_stay_body, connection
from bench.stats import latency_summary

Spec = dict[str, Any]


async def run_fresh(spec: Spec) -> Spec:
    rng = random.Random(spec.get("seed", 2))
    freshness: list[float] = []
    records: list[list[Any]] = []
    outcomes: dict[str, int] = {}
    # Commands and reads draw on pools of their own: a slow read holds a query connection only, never
    # the command connection the open loop's next send needs.
    pools = Pools(spec["url"], spec.get("connections", 32), spec["query_url"])

    # When the last command was sent, seconds after the first: beyond `duration` when the command
    # connection pool held the open loop back.
    sent_until = 0.0

    async def one(index: int, at: float) -> None:
        nonlocal sent_until
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        command = await pools.commands.get()
        sent_until = max(sent_until, time.monotonic() - start)
        read = index % spec.get("read_every", 1) == 0
        outcome = await book_and_read(command, pools, rng, freshness, records, spec, read=read)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1

    start, count = time.monotonic() + 0.1, int(spec["rate"] * spec["duration"])
    began_wall = time.time() + 0.1
    await asyncio.gather(*(one(i, start + i / spec["rate"]) for i in range(count)))
    await pools.close()
    return {"commands": count, "outcomes": outcomes, "records": records, "began_wall": began_wall,
            "sent_until_s": sent_until, **latency_summary(freshness)}  # fmt: skip


class Pools:
    """Keep-alive connections: `commands` to the command service (a fixed number, so a command side that
    cannot keep up shows as commands sent late), and idle ones to the query service (a read opens a new
    one when none is idle, so a slow read never makes the next one wait on the client)."""

    def __init__(self, command_url: str, commands: int, query_url: str) -> None:
        self.query_url = query_url
        self.commands: asyncio.Queue[Connection] = asyncio.Queue()
        self.idle_queries: list[Connection] = []
        for _ in range(commands):
            self.commands.put_nowait(connection(command_url))

    def query(self) -> Connection:
        return self.idle_queries.pop() if self.idle_queries else connection(self.query_url)

    async def close(self) -> None:
        while not self.commands.empty():
            await self.commands.get_nowait().close()
        for query in self.idle_queries:
            await query.close()


async def book_and_read(
    command: Connection,
    pools: Pools,
    rng: random.Random,
    out: list[float],
    records: list[list[Any]],
    spec: Spec,
    read: bool = True,
) -> str:
    """POST a booking on `command` (given back to its pool as soon as the 202 is in); on 202 GET it
    with the consistency token on an idle (or new) query connection until it is there (bounded);
    without `read`, the 202 alone (outcome "accepted").

    Without the spec's `token` the booking is polled every 2 ms until it exists (no help from the query
    gate). The command and the read each carry their caller's bearer token (`headers`, `query_headers`).

    Records [aggregate id, wall time of the 202, wall time of the fresh answer, gate wait in ms].
    """
    book = book_stay_body(spec["hotels"], rng)
    try:
        status, _, body = await command.request("POST", "/bookings", book, headers=spec.get("headers"))
    finally:
        pools.commands.put_nowait(command)
    if status != 202:
        return f"command-{status}"
    if not read:
        return "accepted"
    accepted_at, accepted_wall, answer = time.monotonic(), time.time(), orjson.loads(body)
    headers = dict(spec.get("query_headers", {}))
    if spec.get("token", True):
        headers["X-Consistency-Token"] = answer["consistency_token"]
    path = f"/bookings/{answer['aggregate_id']}"
    query = pools.query()
    try:
        while time.monotonic() - accepted_at < 10:
            status, response_headers, _ = await query.request("GET", path, headers=headers)
            if status == 200 and response_headers.get("x-consistency", "caught-up") != "stale":
                out.append(time.monotonic() - accepted_at)
                waited = float(response_headers.get("x-consistency-waited-ms", "0"))
                records.append([answer["aggregate_id"], accepted_wall, time.time(), waited])
                return "fresh"
            await asyncio.sleep(0.002)
    finally:
        pools.idle_queries.append(query)
    return "timeout"
