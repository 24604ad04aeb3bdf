"""What the faults do to a LocalSystem: signals to run_local's children, the stand-in killed and started
again, rabbitmqctl and pg_ctlcluster on this machine's shared servers (conformance.system_local holds the
life cycle and where things are)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

from conformance import system_infra as infra
from conformance.system import PACKAGES, SERVICES

REPLICA_PORT_STEP = 100  # scripts/run_local.py: replica k listens on the base port + 100 * k


def postgres_version() -> str:
    """The local cluster's major version (we drive `pg_ctlcluster <version> main`)."""
    return sorted(Path("/etc/postgresql").iterdir(), key=lambda path: int(path.name))[-1].name


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


class LocalFaults:
    """The System protocol's fault operations, for LocalSystem."""

    run_local: subprocess.Popen[bytes] | None
    store: subprocess.Popen[bytes] | None
    store_port: int
    ports: dict[str, int]
    run_dir: Path

    def urls(self, service: str) -> list[str]:
        raise NotImplementedError

    def spawn(self, command: list[str], env: dict[str, str], log_name: str) -> subprocess.Popen[bytes]:
        raise NotImplementedError

    def pids(self, service: str) -> list[int]:
        """Live pids of the service's processes, in replica order (by the port each listens on)."""
        if self.run_local is None:
            return []
        found = infra.children(self.run_local.pid, PACKAGES[service])
        return sorted(found, key=lambda pid: found[pid])

    def signal(self, service: str, signum: int, replica: int = 0) -> int:
        assert self.run_local is not None, "start() first"
        port = self.ports[service] + REPLICA_PORT_STEP * replica
        found = infra.children(self.run_local.pid, PACKAGES[service])
        pids = [pid for pid, listens in found.items() if listens == port]
        if not pids:
            raise LookupError(f"no live process of {service} replica {replica} (port {port})")
        os.kill(pids[0], signum)
        return pids[0]

    async def ready_seconds(self, timeout: float) -> float:  # noqa: ASYNC109  (the design's name)
        urls = [url for service in SERVICES for url in self.urls(service)]
        return await infra.wait_ready(urls, timeout)

    async def kill_store(self) -> None:
        if self.store is not None and self.store.poll() is None:
            self.store.kill()
            await asyncio.to_thread(self.store.wait)

    async def start_store(self) -> None:
        """The stand-in on the same port and data directory (its log appended to <run dir>/mongodb.log)."""
        executable = Path(sys.executable).parent / "secantusd-py"
        data = self.run_dir / "mongo"
        data.mkdir(parents=True, exist_ok=True)
        command = [str(executable), "--host", "127.0.0.1", "--port", str(self.store_port)]
        command += ["--storage-path", str(data), "--log-level", "WARNING"]
        self.store = self.spawn(command, dict(os.environ), "mongodb.log")
        for _ in range(300):
            if self.store.poll() is not None:
                raise RuntimeError(
                    f"the MongoDB stand-in exited with {self.store.returncode}: see mongodb.log"
                )
            if listening(self.store_port):
                return
            await asyncio.sleep(0.1)
        raise TimeoutError(f"the MongoDB stand-in does not listen on {self.store_port} after 30 s")

    async def rabbitmq(self, action: str) -> None:
        """rabbitmqctl stop_app | start_app (the shared broker: every vhost; back soon, always)."""
        if action not in ("stop_app", "start_app"):
            raise ValueError(f"rabbitmq action {action!r}: stop_app or start_app")
        await infra.run_command("rabbitmqctl", action)
        if action == "start_app":
            await infra.run_command("rabbitmqctl", "await_startup")

    async def postgres(self, action: str) -> None:
        """pg_ctlcluster <version> main stop | start | restart (the shared server)."""
        if action not in ("stop", "start", "restart"):
            raise ValueError(f"postgres action {action!r}: stop, start or restart")
        await infra.run_command("pg_ctlcluster", postgres_version(), "main", action)
