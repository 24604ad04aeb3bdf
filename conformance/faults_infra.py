"""Faults of the servers the services depend on, and of the network to them: the broker restarted or
stopped, PostgreSQL restarted, a dependency cut off or slowed down behind its proxy.

The broker and PostgreSQL are shared with whatever else runs on this machine: each fault here brings
them back itself (the restarts at once; a stop in `heal`, which the runner calls in a `finally`)."""

from __future__ import annotations

from dataclasses import dataclass

from conformance.system import System

DEPENDENCIES = ("postgres", "rabbitmq", "mongodb")
"""What the services reach through a proxy (`System.proxies`)."""


def known_dependency(dependency: str) -> str:
    if dependency not in DEPENDENCIES:
        raise ValueError(f"unknown dependency {dependency!r}: one of {', '.join(DEPENDENCIES)}")
    return dependency


@dataclass(frozen=True)
class RabbitRestart:
    """`rabbitmqctl stop_app` then `start_app` at once: every connection and channel drops."""

    description: str = "RabbitMQ stop_app + start_app"

    async def inject(self, system: System) -> None:
        await system.rabbitmq("stop_app")
        await system.rabbitmq("start_app")

    async def heal(self, system: System) -> None:
        """Nothing: it is back already."""


@dataclass(frozen=True)
class RabbitStopped:
    """`rabbitmqctl stop_app`, held for the scenario's `hold`, then `start_app`."""

    description: str = "RabbitMQ stop_app, held, start_app"

    async def inject(self, system: System) -> None:
        await system.rabbitmq("stop_app")

    async def heal(self, system: System) -> None:
        await system.rabbitmq("start_app")


@dataclass(frozen=True)
class PostgresRestart:
    """`pg_ctlcluster … restart` (a fast shutdown: open transactions abort, connections drop)."""

    description: str = "PostgreSQL restart"

    async def inject(self, system: System) -> None:
        await system.postgres("restart")

    async def heal(self, system: System) -> None:
        """Nothing: it is back already."""


@dataclass(frozen=True)
class Partition:
    """Every service loses its way to `dependency` for the scenario's `hold`: new connections are
    refused and open ones aborted, both ways; then the way is restored."""

    dependency: str

    def __post_init__(self) -> None:
        known_dependency(self.dependency)

    @property
    def description(self) -> str:
        return f"partition from {self.dependency}"

    async def inject(self, system: System) -> None:
        await system.proxies[self.dependency].cut()

    async def heal(self, system: System) -> None:
        await system.proxies[self.dependency].restore()


@dataclass(frozen=True)
class Latency:
    """Every chunk between the services and `dependency` is delayed `seconds`, both ways, for the
    scenario's `hold`."""

    dependency: str
    seconds: float

    def __post_init__(self) -> None:
        known_dependency(self.dependency)
        if self.seconds <= 0:
            raise ValueError(f"latency must be positive, not {self.seconds}")

    @property
    def description(self) -> str:
        return f"+{self.seconds * 1000:g} ms latency to {self.dependency}"

    async def inject(self, system: System) -> None:
        system.proxies[self.dependency].latency(self.seconds)

    async def heal(self, system: System) -> None:
        system.proxies[self.dependency].latency(0)
