"""Innkeeper as `make run` runs it (scripts/run_local.py, which restarts what dies), for one scenario:
its own PostgreSQL database and RabbitMQ vhost, its own MongoDB stand-in started here (so the harness can
kill it), and a ToxicProxy between the services and each of the three."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from conformance import system_infra as infra
from conformance.proxy import ToxicProxy, free_port
from conformance.system import REPLICATED, SERVICES, Endpoints, NotAvailableError
from conformance.system_local_faults import REPLICA_PORT_STEP, LocalFaults
from innkeeper_kit.auth.dev import DevelopmentIssuer
from innkeeper_kit.personal.dev import ensure_development_master_keys

ROOT = Path(__file__).resolve().parents[1]
BASE_DSN = "postgresql://postgres@127.0.0.1:5432/test"
BASE_AMQP = "amqp://guest:guest@127.0.0.1:5672/"
MONGODB_DATABASE = "innkeeper"
STARTUP_TIMEOUT = 120.0
UP_LINE = "Innkeeper is running"
"""What run_local prints once everything started (scripts/run_local.py's table)."""
PRELOAD_PACKAGES = {"libfaketime": "Debian's libfaketime"}
"""Which package to install for a missing preload, by the library's name."""


def run_dir_for(scenario: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    return ROOT / ".run" / "conformance" / f"{scenario}-{stamp}"


def free_base_port(replicas: int) -> int:
    """A port free itself and at + 100 * k for each further replica."""
    while True:
        port = free_port()
        if port + REPLICA_PORT_STEP * replicas < 65535 and all(
            port_is_free(port + REPLICA_PORT_STEP * k) for k in range(1, replicas)
        ):
            return port


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def refuse_missing_preloads(service_env: str) -> None:
    """A library a process is to preload (SERVICE_ENV's LD_PRELOAD) that is not there makes the
    scenario not available: ld.so would only warn, and the process run as if nothing were asked."""
    per_process: dict[str, dict[str, str]] = json.loads(service_env) if service_env else {}
    for process, env in per_process.items():
        for library in env.get("LD_PRELOAD", "").split():
            if not Path(library).exists():
                package = next((p for k, p in PRELOAD_PACKAGES.items() if k in library), "the package")
                raise NotAvailableError(f"install {package} ({library}, for {process}, is missing)")


class LocalSystem(LocalFaults):
    """TARGET=local: everything on this machine, faults by signals, rabbitmqctl, pg_ctlcluster and proxies."""

    endpoints: Endpoints

    def __init__(
        self, scenario: str, env: dict[str, str] | None = None, replicas: int = 1, keep: bool = False
    ) -> None:
        self.scenario, self.extra_env, self.replicas, self.keep = scenario, dict(env or {}), replicas, keep
        refuse_missing_preloads(self.extra_env.get("SERVICE_ENV", ""))
        self.run_dir = run_dir_for(scenario)
        self.tag = uuid.uuid4().hex[:12]
        self.database, self.vhost = f"conformance_{self.tag}", f"conformance_{self.tag}"
        self.user_prefix = f"conformance-{self.tag}-"
        self.mongodb_database = self.extra_env.get("MONGODB_DATABASE", MONGODB_DATABASE)
        self.admin_dsn = os.environ.get("POSTGRES_DSN") or BASE_DSN
        self.base_amqp = os.environ.get("RABBITMQ_URL") or BASE_AMQP
        self.management = infra.Management.of(self.base_amqp)
        self.proxies: dict[str, ToxicProxy] = {}
        self.ports = {name: free_base_port(replicas if name in REPLICATED else 1) for name in SERVICES}
        self.store_port = free_port()
        self.store: subprocess.Popen[bytes] | None = None
        self.run_local: subprocess.Popen[bytes] | None = None
        self._logs: list[IO[bytes]] = []

    # -- life cycle ----------------------------------------------------------------------------------

    async def start(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        await infra.create_database(self.admin_dsn, self.database)
        await self.management.create_vhost(self.vhost)
        await self.start_store()
        pg = urlsplit(self.admin_dsn)
        upstreams = {"postgres": (pg.hostname or "127.0.0.1", pg.port or 5432)}
        upstreams["rabbitmq"] = (
            urlsplit(self.base_amqp).hostname or "127.0.0.1",
            urlsplit(self.base_amqp).port or 5672,
        )
        upstreams["mongodb"] = ("127.0.0.1", self.store_port)
        for name, (host, port) in upstreams.items():
            self.proxies[name] = ToxicProxy(name, port, host)
            await self.proxies[name].start()
        direct = self.direct_urls()
        proxied = {
            "POSTGRES_DSN": infra.through(direct["POSTGRES_DSN"], self.proxies["postgres"].port),
            "RABBITMQ_URL": infra.through(direct["RABBITMQ_URL"], self.proxies["rabbitmq"].port),
            "MONGODB_URL": infra.through(direct["MONGODB_URL"], self.proxies["mongodb"].port),
        }
        ports = {"COMMAND_PORT": "command-service", "QUERY_PORT": "query-service"}
        ports |= {"PROJECTOR_PORT": "projector", "NOTIFIER_PORT": "notifier"}
        env = {**os.environ, "MONGODB_DATABASE": MONGODB_DATABASE, **self.service_env(), **proxied}
        env |= {variable: str(self.ports[service]) for variable, service in ports.items()}
        env |= {"RUN_DIR": str(self.run_dir), "RABBITMQ_USER_PREFIX": self.user_prefix, "LOG_FORMAT": "json"}
        env |= {"MAIL_PORT": str(free_port()), "REPLICAS": str(self.replicas), "PYTHONUNBUFFERED": "1"}
        command = [sys.executable, str(ROOT / "scripts" / "run_local.py")]
        self.run_local = self.spawn(command, env, "run_local.log")
        self.endpoints = self.make_endpoints(direct)
        await self.until_started()
        issuer = DevelopmentIssuer.ensure(self.run_dir / "auth")
        token = issuer.token("admin", "conformance", ttl=24 * 3600)
        projector = self.projector_env(direct, issuer.settings())
        self.endpoints = self.make_endpoints(direct, token, projector)

    async def until_started(self) -> None:
        """Every replica ready; fails at once when run_local gave up (a port taken meanwhile, a failed
        migration), not after the whole timeout."""
        assert self.run_local is not None
        waiting = asyncio.ensure_future(self.until_supervising())
        while not waiting.done() and self.run_local.poll() is None:
            await asyncio.wait({waiting}, timeout=0.2)
        why = f"run_local exited with {self.run_local.returncode}"
        if not waiting.done():
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiting
        elif (error := waiting.exception()) is None:
            return
        else:
            why = str(error)
        tail = (self.run_dir / "run_local.log").read_text(errors="replace")[-1500:]
        raise RuntimeError(f"the system did not start: {why}\n{tail}")

    async def until_supervising(self) -> None:
        """Every replica ready, and run_local past its start-up: until it prints its table it treats a
        child that dies as a failed start (and stops everything), not as one to restart."""
        await self.ready_seconds(STARTUP_TIMEOUT)
        log = self.run_dir / "run_local.log"
        for _ in range(int(STARTUP_TIMEOUT * 10)):
            if UP_LINE in log.read_text(errors="replace"):
                return
            await asyncio.sleep(0.1)
        raise TimeoutError(f"run_local did not print {UP_LINE!r} within {STARTUP_TIMEOUT:g} s")

    async def stop(self) -> None:
        if self.run_local is not None and self.run_local.poll() is None:
            self.run_local.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(self.run_local.wait, 60)
            except subprocess.TimeoutExpired:
                os.killpg(self.run_local.pid, signal.SIGKILL)
                await asyncio.to_thread(self.run_local.wait)
        for proxy in self.proxies.values():
            await proxy.stop()
        if self.store is not None and self.store.poll() is None:
            self.store.terminate()
            await asyncio.to_thread(self.store.wait, 20)
        for log in self._logs:
            log.close()
        if not self.keep:
            await infra.drop_database(self.admin_dsn, self.database)
            await self.management.delete_vhost_and_users(self.vhost, self.user_prefix)

    # -- where things are ----------------------------------------------------------------------------

    def direct_urls(self) -> dict[str, str]:
        return {
            "POSTGRES_DSN": infra.with_database(self.admin_dsn, self.database),
            "RABBITMQ_URL": infra.with_vhost(self.base_amqp, self.vhost),
            "MONGODB_URL": f"mongodb://127.0.0.1:{self.store_port}/?retryWrites=false&directConnection=true",
        }

    def urls(self, service: str) -> list[str]:
        count = self.replicas if service in REPLICATED else 1
        return [f"http://127.0.0.1:{self.ports[service] + REPLICA_PORT_STEP * k}" for k in range(count)]

    def service_env(self) -> dict[str, str]:
        """The scenario's extra settings: `{run_dir}` in a value is this run's directory, and failpoints
        keep their state in <run dir>/failpoints unless the scenario says where."""
        env = {name: value.replace("{run_dir}", str(self.run_dir)) for name, value in self.extra_env.items()}
        if "INNKEEPER_FAILPOINTS" in env:
            env.setdefault("INNKEEPER_FAILPOINTS_STATE", str(self.run_dir / "failpoints"))
        return env

    def projector_env(self, direct: dict[str, str], trust: dict[str, str]) -> dict[str, str]:
        """The projector's settings with direct URLs (its own broker user): what `projector verify` needs."""
        users = json.loads((self.run_dir / "rabbitmq-users.json").read_text())
        user = f"{self.user_prefix}projector"
        # Without the failpoints themselves: verify must not crash where the services are meant to.
        # Nor run_local's per-process settings (a skewed clock is one replica's, not the checker's).
        env = {
            k: v for k, v in self.service_env().items() if k not in ("INNKEEPER_FAILPOINTS", "SERVICE_ENV")
        }
        env |= {**trust, **direct, "MONGODB_DATABASE": self.mongodb_database}
        env["RABBITMQ_URL"] = infra.with_user(direct["RABBITMQ_URL"], user, users[user])
        # The master key run_local made under the run dir: verify opens the guests' personal data.
        env["PII_MASTER_KEYS"] = ensure_development_master_keys(self.run_dir / "pii")
        return env

    def make_endpoints(
        self, direct: dict[str, str], token: str = "", env: dict[str, str] | None = None
    ) -> Endpoints:
        return Endpoints(
            command_urls=self.urls("command-service"),
            query_urls=self.urls("query-service"),
            projector_urls=self.urls("projector"),
            notifier_url=self.urls("notifier")[0],
            amqp_url=direct["RABBITMQ_URL"],
            management_url=self.management.url,
            management_user=self.management.user,
            management_password=self.management.password,
            vhost=self.vhost,
            postgres_dsn=direct["POSTGRES_DSN"],
            mongodb_url=direct["MONGODB_URL"],
            mongodb_database=self.mongodb_database,
            mail_dir=self.run_dir / "mail",
            admin_token=token,
            run_dir=self.run_dir,
            env=env or {},
        )

    def spawn(self, command: list[str], env: dict[str, str], log_name: str) -> subprocess.Popen[bytes]:
        """A process in a session of its own (a signal to us does not reach it), output to a run-dir log."""
        log = (self.run_dir / log_name).open("ab")
        self._logs.append(log)
        return subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
