"""The bench's own, throw-away infrastructure: databases, a vhost, the MongoDB stand-in, processes.

Everything made here is registered on one `ExitStack`, so a finished, failed or interrupted run drops
its PostgreSQL databases and RabbitMQ vhost and stops every process it started.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import httpx
import psycopg

from bench import cpu
from bench.procs import REPO, free_port, ready, stop, wait_until


class Infra:
    """Creates isolated resources on the local servers and removes them on `close()`."""

    def __init__(self, postgres_dsn: str, rabbitmq_url: str, log_dir: Path) -> None:
        self.postgres_dsn, self.rabbitmq_url, self.log_dir = postgres_dsn, rabbitmq_url, log_dir
        self.stack = ExitStack()
        self._mongodb_url: str | None = os.environ.get("MONGODB_URL") or None
        self.store = "mongod (MONGODB_URL)" if self._mongodb_url else "SecantusDB stand-in"

    def close(self) -> None:
        self.stack.close()

    def database(self, purpose: str) -> str:
        """DSN of a new database, dropped at close."""
        name = f"bench_{purpose}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.postgres_dsn, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        self.stack.callback(self._drop_database, name)
        return urlunsplit(urlsplit(self.postgres_dsn)._replace(path=f"/{name}"))

    def _drop_database(self, name: str) -> None:
        with psycopg.connect(self.postgres_dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def vhost(self, purpose: str) -> str:
        """AMQP URL of a new virtual host, deleted at close."""
        name = f"bench_{purpose}_{uuid.uuid4().hex[:8]}"
        user = urlsplit(self.rabbitmq_url).username or "guest"
        with httpx.Client(base_url=self.management_api, timeout=10) as client:
            client.put(f"/api/vhosts/{name}").raise_for_status()
            rights = {"configure": ".*", "write": ".*", "read": ".*"}
            client.put(f"/api/permissions/{name}/{user}", json=rights).raise_for_status()
        self.stack.callback(self._delete_vhost, name)
        return urlunsplit(urlsplit(self.rabbitmq_url)._replace(path=f"/{quote(name, safe='')}"))

    def _delete_vhost(self, name: str) -> None:
        with httpx.Client(base_url=self.management_api, timeout=10) as client:
            client.delete(f"/api/vhosts/{name}")

    @property
    def management_api(self) -> str:
        if explicit := os.environ.get("RABBITMQ_MANAGEMENT_URL"):
            return explicit.rstrip("/")
        parts = urlsplit(self.rabbitmq_url)
        return f"http://{parts.username or 'guest'}:{parts.password or 'guest'}@{parts.hostname}:15672"

    def mongodb_url(self) -> str:
        """MONGODB_URL, else a SecantusDB stand-in process (in memory) started on first use."""
        if self._mongodb_url is None:
            executable = shutil.which("secantusd-py") or str(Path(sys.executable).parent / "secantusd-py")
            port = free_port()
            command = [executable, "--host", "127.0.0.1", "--port", str(port), "--storage-path", ":memory:"]
            self.process([*command, "--log-level", "WARNING"], "secantusd", {}, port)
            self._mongodb_url = f"mongodb://127.0.0.1:{port}/?retryWrites=false&directConnection=true"
        return self._mongodb_url

    def process(
        self, command: list[str], name: str, env: dict[str, str], port: int, health: str | None = None
    ) -> subprocess.Popen[bytes]:
        """Start a process (stopped at close) and wait until it listens on `port` (and `health` is 200)."""
        log = (self.log_dir / f"{name}.log").open("ab")
        full_env = {**os.environ, "PYTHONPATH": str(REPO), **env}
        proc = subprocess.Popen(command, env=full_env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
        log.close()
        cpu.OWN[proc.pid] = "Mongo stand-in" if name == "secantusd" else name.split("-")[0].replace("_", "-")
        self.stack.callback(stop, proc)
        wait_until(lambda: ready(proc, port, health, name, self.log_dir), 60, f"{name} ready", 0.1)
        return proc

    def python(self, module: str, env: dict[str, str], port: int, *args: str) -> subprocess.Popen[bytes]:
        """`python -m module` as a service on `port`, healthy when /healthz answers 200."""
        command = [sys.executable, "-m", module, *args]
        env = {"PORT": str(port), "LOG_FORMAT": "json", "LOG_LEVEL": "WARNING", **env}
        return self.process(command, f"{module}-{port}", env, port, "/healthz")


@contextmanager
def infrastructure(log_dir: Path) -> Iterator[Infra]:
    postgres = os.environ.get("POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")
    rabbitmq = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
    infra = Infra(postgres, rabbitmq, log_dir)
    try:
        yield infra
    finally:
        infra.close()
