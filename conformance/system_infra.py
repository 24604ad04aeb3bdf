"""What a local run needs of the shared servers and of this machine: a fresh database and vhost (and their
removal), the broker users run_local made, the processes it runs (read from /proc), readiness polling."""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import asyncpg
import httpx


def with_database(dsn: str, database: str) -> str:
    return urlunsplit(urlsplit(dsn)._replace(path=f"/{database}"))


def with_vhost(amqp_url: str, vhost: str) -> str:
    return urlunsplit(urlsplit(amqp_url)._replace(path=f"/{quote(vhost, safe='')}"))


def with_user(amqp_url: str, user: str, password: str) -> str:
    parts = urlsplit(amqp_url)
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{parts.hostname}:{parts.port or 5672}"
    return urlunsplit(parts._replace(netloc=netloc))


def through(url: str, port: int) -> str:
    """The same URL (user, database, vhost, query) with `port` on 127.0.0.1: through a proxy."""
    parts = urlsplit(url)
    credentials = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit(parts._replace(netloc=f"{credentials}127.0.0.1:{port}"))


async def create_database(admin_dsn: str, name: str) -> None:
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def drop_database(admin_dsn: str, name: str) -> None:
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@dataclass(frozen=True)
class Management:
    """RabbitMQ's management API with the admin's credentials."""

    url: str
    user: str
    password: str

    @classmethod
    def of(cls, amqp_url: str) -> Management:
        parts = urlsplit(amqp_url)
        user, password = unquote(parts.username or "guest"), unquote(parts.password or "guest")
        explicit = os.environ.get("RABBITMQ_MANAGEMENT_URL", "")
        if explicit:
            given = urlsplit(explicit)
            user, password = unquote(given.username or user), unquote(given.password or password)
            return cls(f"{given.scheme}://{given.hostname}:{given.port or 15672}", user, password)
        return cls(f"http://{parts.hostname or '127.0.0.1'}:15672", user, password)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, auth=(self.user, self.password), timeout=10)

    async def create_vhost(self, vhost: str) -> None:
        where = quote(vhost, safe="")
        async with self.client() as api:
            (await api.put(f"/api/vhosts/{where}")).raise_for_status()
            grant = {"configure": ".*", "write": ".*", "read": ".*"}
            (
                await api.put(f"/api/permissions/{where}/{quote(self.user, safe='')}", json=grant)
            ).raise_for_status()

    async def delete_vhost_and_users(self, vhost: str, user_prefix: str) -> None:
        async with self.client() as api:
            await api.delete(f"/api/vhosts/{quote(vhost, safe='')}")
            users = (await api.get("/api/users")).json()
            for user in users:
                if str(user["name"]).startswith(user_prefix):
                    await api.delete(f"/api/users/{quote(user['name'], safe='')}")


def children(parent: int, package: str) -> dict[int, int]:
    """pid → PORT of each live process `parent` runs as `python -m <package>`."""
    found: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid != parent:
                continue
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            if b"-m" not in argv or argv[argv.index(b"-m") + 1 :][:1] != [package.encode()]:
                continue
            if stat.rsplit(")", 1)[1].split()[0] == "Z":  # exited, not yet reaped: not live
                continue
            environ = dict(
                line.split(b"=", 1) for line in (entry / "environ").read_bytes().split(b"\0") if b"=" in line
            )
            found[int(entry.name)] = int(environ.get(b"PORT", b"0"))
        except (OSError, ValueError, IndexError):
            continue  # gone while we looked
    return found


async def wait_ready(urls: list[str], within: float) -> float:
    """Seconds until every URL answers 200 on /readyz; TimeoutError past `within` seconds."""
    started = time.monotonic()
    pending = set(urls)
    async with httpx.AsyncClient(timeout=2) as client:

        async def ready(url: str) -> bool:
            try:
                return (await client.get(f"{url}/readyz")).status_code == 200
            except httpx.HTTPError:
                return False

        while True:
            answers = await asyncio.gather(*(ready(url) for url in sorted(pending)))
            pending -= {url for url, ok in zip(sorted(pending), answers, strict=True) if ok}
            if not pending:
                return time.monotonic() - started
            if time.monotonic() - started > within:
                raise TimeoutError(f"not ready after {within:g} s: {', '.join(sorted(pending))}")
            await asyncio.sleep(0.1)


async def run_command(*command: str, limit: float = 120) -> None:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await asyncio.wait_for(process.communicate(), limit)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}): {output.decode()[-300:]}")
