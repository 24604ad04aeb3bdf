"""Fixtures of the front-door tests: a DNS server that knows the replicas, nginx with the project's
configuration, and service replicas on 127.0.0.2, 127.0.0.3, ... against this test's infrastructure."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from testkit.infra import free_port

from frontdoor.deployment import REPLICA_PORTS, Replicas
from frontdoor.dns import ReplicaDns
from frontdoor.nginx import FrontDoor

LISTENS = ("COMMAND_SERVICE_LISTEN", "QUERY_SERVICE_LISTEN", "PROJECTOR_LISTEN", "NOTIFIER_LISTEN")


@pytest.fixture
def replica_dns() -> Iterator[ReplicaDns]:
    """Answers nothing until told: every service starts with no replica."""
    dns = ReplicaDns().start()
    try:
        yield dns
    finally:
        dns.close()


@pytest.fixture
def front_door(replica_dns: ReplicaDns, tmp_path: Path) -> Iterator[FrontDoor]:
    """nginx on free ports of 127.0.0.1; each service's replicas are expected on a port of their own."""
    values = {name: f"127.0.0.1:{free_port()}" for name in (*LISTENS, "FRONT_DOOR_HEALTH_LISTEN")}
    values |= {name: str(free_port()) for name in REPLICA_PORTS.values()}
    values["FRONT_DOOR_RESOLVER"] = replica_dns.address
    directory = tmp_path / "nginx"
    directory.mkdir()
    with FrontDoor(values, directory) as door:
        yield door


@pytest.fixture
def replicas(front_door: FrontDoor, service_env: dict[str, str], log_dir: Path) -> Iterator[Replicas]:
    """Starts replicas on this test's PostgreSQL database, RabbitMQ vhost and MongoDB database."""
    started = Replicas(front_door, service_env, log_dir)
    try:
        yield started
    finally:
        started.close()
