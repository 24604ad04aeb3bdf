"""Find the real PostgreSQL, RabbitMQ and MongoDB (stand-in) the tests run against, and isolate each test.

Each test gets its own PostgreSQL database and its own RabbitMQ virtual host, so tests never see each
other's rows, queues or messages. Services are found through `POSTGRES_DSN`, `RABBITMQ_URL` and
`MONGODB_URL`; where one is unset, a Docker engine is used through testcontainers, and where there is
none either, the run stops with a clear message instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import httpx
import psycopg
import pytest


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def docker_engine_available() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True, check=False, timeout=20).returncode == 0


def missing(variable: str, what: str) -> None:
    pytest.exit(
        f"{variable} is not set and no Docker engine is reachable: the integration tests need a real "
        f"{what}. Set {variable} (see README, 'Running the tests') or start Docker.",
        returncode=3,
    )


def with_database(dsn: str, database: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{database}"))


@contextmanager
def fresh_postgres_database(base_dsn: str) -> Iterator[str]:
    """A new, empty database on the server of `base_dsn`, dropped afterwards."""
    name = unique_name("innkeeper_test")
    with psycopg.connect(base_dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(base_dsn, name)
    finally:
        with psycopg.connect(base_dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def management_url(amqp_url: str) -> str:
    explicit = os.environ.get("RABBITMQ_MANAGEMENT_URL")
    if explicit:
        return explicit.rstrip("/")
    parts = urlsplit(amqp_url)
    credentials = f"{parts.username or 'guest'}:{parts.password or 'guest'}"
    return f"http://{credentials}@{parts.hostname or '127.0.0.1'}:15672"


@contextmanager
def fresh_rabbitmq_vhost(base_url: str) -> Iterator[str]:
    """A new virtual host (through the management API) that the base URL's user may use, deleted after."""
    api = management_url(base_url)
    user = urlsplit(base_url).username or "guest"
    vhost = unique_name("innkeeper_test")
    with httpx.Client(base_url=api, timeout=10) as client:
        client.put(f"/api/vhosts/{vhost}").raise_for_status()
        permissions = {"configure": ".*", "write": ".*", "read": ".*"}
        client.put(f"/api/permissions/{vhost}/{user}", json=permissions).raise_for_status()
        try:
            yield urlunsplit(urlsplit(base_url)._replace(path=f"/{quote(vhost, safe='')}"))
        finally:
            client.delete(f"/api/vhosts/{vhost}")


@contextmanager
def mongodb_stand_in(log_dir: Path) -> Iterator[str]:
    """Start the SecantusDB MongoDB wire-protocol server as its own process, in memory."""
    # Installed into the same virtualenv as pytest, which need not be on PATH.
    search_path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    executable = shutil.which("secantusd-py", path=search_path)
    if executable is None:
        missing("MONGODB_URL", "MongoDB (or the secantusd-py stand-in from `make install`)")
    port = free_port()
    log = (log_dir / "secantusd.log").open("wb")
    command = [str(executable), "--host", "127.0.0.1", "--port", str(port)]
    command += ["--storage-path", ":memory:", "--log-level", "WARNING"]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process)
        yield f"mongodb://127.0.0.1:{port}/?retryWrites=false&directConnection=true"
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port} after {timeout}s")
