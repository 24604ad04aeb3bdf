"""The raw read limit: bench.raw_app under uvicorn, loaded by the bench's load generator process."""

from __future__ import annotations

import asyncio
import sys
import uuid
from typing import Any

from pymongo import AsyncMongoClient

from bench.cpu import CpuMeter
from bench.infra import Infra, free_port, run_loadgen, stop
from bench.samples import hotel_detail_document

DOCUMENTS = 200


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


def fastapi_find_one(infra: Infra, concurrency: int, duration: float) -> dict[str, Any]:
    """req/s, p50, p99 of GET /docs/{id} (one find_one by _id) at `concurrency` connections."""
    url, database, port = infra.mongodb_url(), f"bench_raw_{uuid.uuid4().hex[:8]}", free_port()
    asyncio.run(_seed(url, database))
    env = {"MONGODB_URL": url, "MONGODB_DATABASE": database, "PORT": str(port)}
    server = infra.process([sys.executable, "-m", "bench.raw_app"], "raw_app", env, port, "/healthz")
    try:
        paths = [f"/docs/hotel-{index}" for index in range(DOCUMENTS)]
        spec = {"mode": "get", "url": f"http://127.0.0.1:{port}", "paths": paths,
                "concurrency": concurrency, "duration": duration, "warmup": 1.0}  # fmt: skip
        meter = CpuMeter.start()
        result = run_loadgen(spec)
        result["cpu_share"] = meter.stop(result["cpu_s"])
        return result
    finally:
        stop(server)
        asyncio.run(_drop(url, database))
