"""The raw read limit: bench.raw_app under uvicorn, loaded by the bench's load generator process."""

from __future__ import annotations

import asyncio
import statistics
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pymongo import AsyncMongoClient

from bench.cpu import CpuMeter
from bench.infra import Infra
from bench.procs import free_port, run_loadgen, stop
from bench.samples import hotel_detail_document

DOCUMENTS = 200
PATHS = [f"/docs/hotel-{index}" for index in range(DOCUMENTS)]


async def _seed(url: str, database: str) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url)
    try:
        documents = [hotel_detail_document(index) for index in range(DOCUMENTS)]
        await client[database]["hotel_details"].insert_many(documents)
    finally:
        await client.close()


async def _drop(url: str, database: str) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url)
    try:
        await client.drop_database(database)
    finally:
        await client.close()


@contextmanager
def raw_read_server(infra: Infra) -> Iterator[str]:
    """bench.raw_app serving `PATHS` from its own database in the store; yields its base URL."""
    url, database, port = infra.mongodb_url(), f"bench_raw_{uuid.uuid4().hex[:8]}", free_port()
    asyncio.run(_seed(url, database))
    env = {"MONGODB_URL": url, "MONGODB_DATABASE": database, "PORT": str(port)}
    server = infra.process([sys.executable, "-m", "bench.raw_app"], "raw_app", env, port, "/healthz")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server)
        asyncio.run(_drop(url, database))


def trial(
    url: str, paths: list[str], concurrency: int, seconds: float, warmup: float = 1.0
) -> dict[str, Any]:
    """One closed-loop GET run: req/s, p50, p99 and who used the CPU meanwhile."""
    spec = {"mode": "get", "url": url, "paths": paths, "concurrency": concurrency,
            "duration": seconds, "warmup": warmup}  # fmt: skip
    meter = CpuMeter.start()
    result = run_loadgen(spec)
    result["cpu_share"] = meter.stop(result["cpu_s"])
    return result


def median_of(trials: list[dict[str, Any]]) -> dict[str, Any]:
    """Median req/s, p50 and p99 over rounds (robust to a noisy round on a shared machine)."""
    keys = ("rps", "p50_ms", "p99_ms")
    summary: dict[str, Any] = {key: statistics.median(t[key] for t in trials) for key in keys}
    summary["rounds"] = [{key: t[key] for key in (*keys, "cpu_share")} for t in trials]
    return summary


def fastapi_intake(infra: Infra, concurrency: int, seconds: float) -> dict[str, Any]:
    """POST /bookings validated by FastAPI + pydantic and answered 202, no database: the HTTP ceiling."""
    hotels = [[str(uuid.UUID(int=index)), ["STD", "DBL"]] for index in range(48)]
    with raw_read_server(infra) as url:
        spec = {"mode": "book", "url": url, "hotels": hotels, "concurrency": concurrency, "duration": seconds}
        meter = CpuMeter.start()
        result = run_loadgen(spec)
        result["cpu_share"] = meter.stop(result["cpu_s"])
        result["per_s"] = result["accepted"] / (result["ended_wall"] - result["began_wall"])
        result["cpu_ms_per_request"] = 1000 * meter.seconds.get("raw-app", 0.0) / max(result["accepted"], 1)
        return result


def fastapi_find_one(infra: Infra, concurrency: int, seconds: float, rounds: int = 3) -> dict[str, Any]:
    """req/s, p50, p99 of GET /docs/{id} (one find_one by _id) at `concurrency` connections."""
    with raw_read_server(infra) as url:
        return median_of([trial(url, PATHS, concurrency, seconds / rounds) for _ in range(rounds)])
