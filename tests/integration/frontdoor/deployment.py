"""Replicas of the services started where the front door expects them: the port its configuration
forwards each service to, on a loopback address of their own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from frontdoor.nginx import FrontDoor
from frontdoor.replicas import Replica
from frontdoor.traffic import eventually

REPLICA_PORTS = {
    "command-service": "COMMAND_SERVICE_PORT",
    "query-service": "QUERY_SERVICE_PORT",
    "projector": "PROJECTOR_PORT",
    "notifier": "NOTIFIER_PORT",
}
PACKAGES = {"command-service": "command_service", "query-service": "query_service"}


class Replicas:
    """Starts replicas of a service at a loopback address, on the port the front door forwards to."""

    def __init__(self, door: FrontDoor, env: dict[str, str], log_dir: Path) -> None:
        self.door, self.env, self.log_dir = door, env, log_dir
        self.started: list[Replica] = []
        self._migrated = False

    def start(self, service: str, address: str) -> Replica:
        """A ready replica (its /readyz 200; the command service's with RabbitMQ up)."""
        if service == "command-service" and not self._migrated:
            self._migrate()
        port = int(self.door.values[REPLICA_PORTS[service]])
        env = {**self.env, "MIGRATE_ON_START": "false"}  # as compose: the `migrate` job owns the schema
        replica = Replica(PACKAGES[service], address, port, env, self.log_dir)
        self.started.append(replica)
        replica.start()
        eventually(lambda: _ready(replica), 30, f"{service} at {replica.url} ready")
        return replica

    def _migrate(self) -> None:
        command = [sys.executable, "-m", "command_service", "migrate"]
        done = subprocess.run(command, env={**os.environ, **self.env}, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        self._migrated = True

    def close(self) -> None:
        for replica in self.started:
            replica.__exit__(None)


def _ready(replica: Replica) -> bool:
    try:
        answer = httpx.get(f"{replica.url}/readyz", timeout=2)
    except httpx.TransportError:
        return False
    return answer.status_code == 200 and answer.json().get("rabbitmq", "up") == "up"
