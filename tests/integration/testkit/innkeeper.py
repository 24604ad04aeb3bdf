"""The whole Innkeeper system as real processes: command service, projector(s), query service(s).

Each part runs as `python -m <package>` with this test's isolated PostgreSQL database, RabbitMQ vhost
and MongoDB database. Helpers read the event log and the read model's checkpoints, so a test can wait
(bounded) until the projector has applied every committed event.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from pymongo import AsyncMongoClient

from innkeeper_contracts.documents import ACTIVE_GENERATION_ID, CHECKPOINTS, GENERATIONS_COLLECTION
from testkit.auth import admin
from testkit.infra import free_port
from testkit.services import ServiceProcess
from testkit.waiting import wait_until


class Innkeeper:
    """Starts and stops the services of one test; every process is killed at `close()`."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env, self.log_dir = env, log_dir
        self.processes: list[ServiceProcess] = []
        self.command: ServiceProcess | None = None
        self.projectors: list[ServiceProcess] = []
        self.queries: list[ServiceProcess] = []
        self.notifiers: list[ServiceProcess] = []
        self.mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(env["MONGODB_URL"], tz_aware=True)

    async def start(self, projectors: int = 1, queries: int = 1, **query_env: str) -> Innkeeper:
        """Start everything at once (in threads: each start waits for /healthz), then wait until ready."""
        started = [self._process("command_service")]
        started += [self._process("projector") for _ in range(projectors)]
        started += [self._process("query_service", **query_env) for _ in range(queries)]
        await asyncio.gather(*(asyncio.to_thread(p.start) for p in started))
        self.command, self.projectors, self.queries = (
            started[0],
            started[1 : 1 + projectors],
            started[1 + projectors :],
        )
        await self.wait_ready()
        return self

    async def start_query(self, **env: str) -> ServiceProcess:
        process = self._process("query_service", **env)
        await asyncio.to_thread(process.start)
        self.queries.append(process)
        return process

    async def start_projector(self) -> ServiceProcess:
        process = self._process("projector")
        await asyncio.to_thread(process.start)
        self.projectors.append(process)
        await _wait_ready(process, lambda body: True)
        return process

    async def start_notifier(self, **env: str) -> ServiceProcess:
        """One more notifier (its SMTP_URL and WEBHOOK_SUBSCRIBERS are the test's), ready to deliver."""
        process = self._process("notifier", **env)
        await asyncio.to_thread(process.start)
        self.notifiers.append(process)
        await _wait_ready(process, lambda body: True)
        return process

    def _process(self, module: str, **env: str) -> ServiceProcess:
        process = ServiceProcess(module, {**self.env, **env}, free_port(), self.log_dir)
        self.processes.append(process)
        return process

    async def wait_ready(self) -> None:
        """Command service migrated, its AMQP intake up; projectors consuming; queries reaching MongoDB."""
        assert self.command is not None
        await _wait_ready(self.command, lambda body: body.get("rabbitmq") == "up")
        for process in [*self.projectors, *self.queries]:
            await _wait_ready(process, lambda body: True)

    async def close(self) -> None:
        for process in self.processes:
            process.__exit__(None)
        await self.mongo.drop_database(self.env["MONGODB_DATABASE"])  # the stand-in keeps it in memory
        await self.mongo.close()

    # The event log (PostgreSQL, read-only here) and the read model's checkpoints (MongoDB).

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        connection = await asyncpg.connect(self.env["POSTGRES_DSN"])
        try:
            return await connection.fetch(sql, *args)
        finally:
            await connection.close()

    async def log_head(self) -> int:
        [row] = await self.fetch("SELECT coalesce(max(global_position), 0) AS head FROM events")
        return int(row["head"])

    async def events_of_type(self, *event_types: str) -> list[asyncpg.Record]:
        sql = "SELECT * FROM events WHERE event_type = ANY($1::text[]) ORDER BY global_position"
        return await self.fetch(sql, list(event_types))

    async def generation(self) -> str:
        alias = await self.mongo[self.env["MONGODB_DATABASE"]][GENERATIONS_COLLECTION].find_one(
            {"_id": ACTIVE_GENERATION_ID}
        )
        return str(alias["generation"]) if alias else ""

    async def caught_up(self) -> bool:
        """Every aggregate's checkpoint (active generation) is at its last version in the event log."""
        rows = await self.fetch("SELECT aggregate_id, max(aggregate_version) AS v FROM events GROUP BY 1")
        expected = {str(row["aggregate_id"]): row["v"] for row in rows}
        generation = await self.generation()
        if not generation:
            return not expected
        collection = self.mongo[self.env["MONGODB_DATABASE"]][f"{CHECKPOINTS}_{generation}"]
        applied = {d["_id"]: d["version"] async for d in collection.find({}, {"version": 1})}
        return all(applied.get(aggregate, 0) >= version for aggregate, version in expected.items())

    async def wait_caught_up(self, seconds: float = 30) -> int:
        """Wait until the projector applied the whole log, and its status says so; returns the log head."""
        assert self.projectors, "no projector running"
        await wait_until(self.caught_up, seconds, "the projector applying every event of the log")
        head = await self.log_head()
        async with httpx.AsyncClient(headers=admin(), base_url=self.projectors[0].url, timeout=10) as client:

            async def status_at_head() -> bool:
                status = (await client.get("/status")).json()
                return bool(status["applied_position"] == head and status["lag_events"] == 0)

            await wait_until(status_at_head, seconds, f"projector /status at the log head {head}")
        return head

    async def projector_cli(self, *args: str, limit: float = 120) -> tuple[int, str]:
        """Run `python -m projector <args>` (rebuild, verify, ...) with this system's environment."""
        return await self.cli("projector", *args, limit=limit)

    async def cli(self, module: str, *args: str, limit: float = 120, **env: str) -> tuple[int, str]:
        """Run `python -m <module> <args>` with this system's environment."""
        completed = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", module, *args],
            env={**os.environ, **self.env, "LOG_FORMAT": "json", **env},
            capture_output=True,
            text=True,
            timeout=limit,
        )
        return completed.returncode, completed.stdout + completed.stderr


async def _wait_ready(process: ServiceProcess, extra: Any, seconds: float = 30) -> None:
    async with httpx.AsyncClient(headers=admin(), base_url=process.url, timeout=5) as client:

        async def ready() -> bool:
            answer = await client.get("/readyz")
            return answer.status_code == 200 and bool(extra(answer.json()))

        await wait_until(ready, seconds, f"{process.module} on :{process.port} ready")
