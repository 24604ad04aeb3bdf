"""Innkeeper under test: its three services as processes on the bench's own infrastructure."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from importlib.util import find_spec
from typing import Any
from urllib.parse import urlsplit

import psycopg

from bench.infra import Infra
from bench.pgwait import ActivitySampler
from bench.procs import free_port, stop, wait_until
from bench.profile import Profile
from innkeeper_client import InnkeeperClient, RetryPolicy
from innkeeper_contracts import CommandAccepted, RegisterHotel
from innkeeper_kit.auth.dev import DevelopmentIssuer
from innkeeper_kit.personal.dev import ensure_development_master_keys

MODULES = ("command_service", "projector", "query_service")
LOAD_SERVICE = "bench-load"
"""The load generator's identity: a service granted every command (as a partner system would be)."""
TOKEN_SECONDS = 6 * 3600
CITIES = ("Lisbon", "Porto", "Faro", "Braga")
ROOM_CODES = ("STD", "DBL", "STE")
WAIT_BOUND_SECONDS = 2.0
"""The query service's bound on one read-your-writes wait (CONSISTENCY_WAIT_SECONDS' default)."""


def missing_services() -> list[str]:
    """Services whose `python -m <package>` entry point does not exist (yet)."""
    return [module for module in MODULES if find_spec(f"{module}.__main__") is None]


@dataclass
class System:
    """The running services and where they are; hotels registered for the load."""

    infra: Infra
    env: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    hotels: list[list[Any]] = field(default_factory=list)
    issuer: DevelopmentIssuer | None = None

    def url(self, module: str) -> str:
        return f"http://127.0.0.1:{self.ports[module]}"

    def headers(self, role: str = "admin") -> dict[str, str]:
        """A bearer header: `service` is the load generator (BookStay), `admin` reads and operates."""
        assert self.issuer is not None, "start() first"
        subject = LOAD_SERVICE if role == "service" else "bench-admin"
        token = self.issuer.token(role, subject, ttl=TOKEN_SECONDS)  # type: ignore[arg-type]
        return {"authorization": f"Bearer {token}"}

    def start(self, shards: int = 4) -> None:
        self.issuer = DevelopmentIssuer.ensure(self.infra.log_dir / "auth")
        self.env = {
            **self.issuer.settings(),
            "SERVICE_GRANTS": f'{{"{LOAD_SERVICE}": "*"}}',
            "PII_MASTER_KEYS": ensure_development_master_keys(self.infra.log_dir / "pii"),
            "POSTGRES_DSN": self.infra.database("innkeeper"),
            "RABBITMQ_URL": self.infra.vhost("innkeeper"),
            "MONGODB_URL": self.infra.mongodb_url(),
            "MONGODB_DATABASE": f"bench_innkeeper_{uuid.uuid4().hex[:8]}",
            "RELAY_ENABLED": "true",
            "PROJECTOR_SHARDS": str(shards),
        }
        migrate = [sys.executable, "-m", "command_service", "migrate"]
        done = subprocess.run(migrate, env={**os.environ, **self.env}, capture_output=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"migrate failed: {done.stderr.decode(errors='replace')[-1500:]}")
        for module in MODULES:  # the projector first: it declares the queues events are routed to
            self.start_one(module)

    def start_one(self, module: str) -> None:
        port = self.ports.setdefault(module, free_port())
        self.procs[module] = self.infra.python(module, self.env, port)

    def stop_one(self, module: str) -> None:
        stop(self.procs.pop(module))

    def activity_sampler(self) -> ActivitySampler:
        dsn = self.env["POSTGRES_DSN"]
        return ActivitySampler(dsn, urlsplit(dsn).path.lstrip("/"))

    def profile(self, module: str, seconds: float, wanted: bool) -> Profile:
        """A py-spy recording of a service when BENCH_PROFILE is set and `wanted`."""
        pid = self.procs[module].pid if wanted else -1
        return Profile(pid, module, seconds, self.infra.log_dir) if wanted else Profile.off()

    def client(self, role: str = "admin", retry: RetryPolicy | None = None) -> InnkeeperClient:
        """The integrators' client on this system, as `role` (see `headers`)."""
        return InnkeeperClient(
            command_url=self.url("command_service"),
            query_url=self.url("query_service"),
            token=self.headers(role)["authorization"].removeprefix("Bearer "),
            timeout=30,
            retry=retry,
        )

    def register_hotels(self, count: int) -> list[CommandAccepted]:
        """Hotels with three room types of 10 000 rooms each (bookings are never refused for room)."""
        rate = {"amount": "100.00", "currency": "EUR"}

        async def register() -> list[CommandAccepted]:
            async with self.client() as client:
                answers = []
                for index in range(count):
                    room_types = [{"code": code, "name": f"Room {code}", "capacity": 10_000, "max_guests": 4,
                                   "nightly_rate": rate} for code in ROOM_CODES]  # fmt: skip
                    hotel = RegisterHotel.model_validate(
                        {"name": f"Bench Hotel {index}", "city": CITIES[index % len(CITIES)],
                         "stars": 1 + index % 5, "room_types": room_types})  # fmt: skip
                    answers.append(accepted := await client.register_hotel(hotel))
                    self.hotels.append([str(accepted.aggregate_id), list(ROOM_CODES)])
                return answers

        return asyncio.run(register())

    def wait_readable(self, registered: list[CommandAccepted], timeout: float = 60) -> None:
        """Until the query service has read every registration: each hotel page read after its write
        (the client asks again while the answer is stale, for about `timeout` in all)."""
        patience = RetryPolicy(
            attempts=max(int(timeout / WAIT_BOUND_SECONDS), 1), backoff=0.05, max_delay=0.05
        )

        async def read_all() -> None:
            async with self.client(retry=patience) as client:
                for accepted in registered:
                    await client.get_hotel(accepted.aggregate_id, after=accepted)

        asyncio.run(read_all())

    def wait_outbox_empty(self, timeout: float = 60) -> float:
        """Wall time at which the outbox was first seen empty: every event committed and published."""
        with psycopg.connect(self.env["POSTGRES_DSN"], autocommit=True) as conn:

            def empty() -> bool:
                row = conn.execute("SELECT count(*) FROM outbox").fetchone()
                return row is not None and row[0] == 0

            return wait_until(empty, timeout, "outbox empty", 0.01)

    def event_stats(self, after_position: int = 0) -> dict[str, int]:
        """Events after a position: how many, the last position, the nights they booked, and how many
        aggregates they belong to."""
        sql = """SELECT count(*), coalesce(max(global_position), 0),
                        coalesce(sum((data->>'nights')::int) FILTER (WHERE event_type = 'StayBooked'), 0),
                        count(DISTINCT aggregate_id)
                 FROM events WHERE global_position > %s"""
        with psycopg.connect(self.env["POSTGRES_DSN"]) as conn:
            row = conn.execute(sql, (after_position,)).fetchone()
        assert row is not None
        return {"events": int(row[0]), "last_position": int(row[1]), "nights": int(row[2]),
                "aggregates": int(row[3])}  # fmt: skip
