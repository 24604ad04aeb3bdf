"""The nemeses: what goes wrong during a scenario's load, and how it ends.

A fault is injected `inject_at` seconds into the load and healed `hold` seconds later (the runner heals
in a `finally`, so a shared server stopped here is always started again). This module holds the faults on
the system's own processes; conformance.faults_infra those on the servers and the network between,
conformance.faults_events those on the event stream (redeliveries, a poison event)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from conformance.system import REPLICATED, SERVICES, System

EXIT_BOUND = 60.0
"""How long a signalled process may take to exit before ready-again is measured anyway (and then fails
if it hung)."""


class Fault(Protocol):
    """One nemesis: what goes wrong, and how it ends."""

    @property
    def description(self) -> str: ...  # one line for the report, e.g. "kill -9 projector"

    async def inject(self, system: System) -> None: ...

    async def heal(self, system: System) -> None: ...  # may do nothing: the supervisor restarts


def known_service(service: str) -> str:
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}: one of {', '.join(SERVICES)}")
    return service


@dataclass
class KillService:
    """kill -9 one replica of a service; run_local (as compose's restart policy) starts it again."""

    service: str
    replica: int = 0
    signum: int = signal.SIGKILL
    pids: list[int] = field(default_factory=list)  # what was signalled, for the run's log

    def __post_init__(self) -> None:
        known_service(self.service)

    @property
    def description(self) -> str:
        which = f" replica {self.replica}" if self.replica else ""
        how = "kill -9" if self.signum == signal.SIGKILL else signal.Signals(self.signum).name
        return f"{how} {self.service}{which}"

    async def inject(self, system: System) -> None:
        self.pids.append(system.signal(self.service, self.signum, self.replica))

    async def heal(self, system: System) -> None:
        """Wait until the signalled process is gone (a SIGTERM drains first: up to the service's
        SHUTDOWN_TIMEOUT_SECONDS): ready-again is measured from its exit, not from the signal. Coming
        back is the supervisor's job, and what that invariant measures."""
        deadline = time.monotonic() + EXIT_BOUND
        while any(alive(pid) for pid in self.pids):
            if time.monotonic() > deadline:
                return
            await asyncio.sleep(0.02)


@dataclass
class TermService(KillService):
    """SIGTERM: the service drains (every request in flight answered) and exits; run_local restarts it."""

    signum: int = signal.SIGTERM


@dataclass
class KillReplica:
    """With two replicas: kill -9 one replica of the command service, query service and projector at
    once, so the survivors carry the load (and the projector's shards move to the other process)."""

    replica: int = 0
    services: tuple[str, ...] = REPLICATED
    pids: list[int] = field(default_factory=list)

    @property
    def description(self) -> str:
        return f"kill -9 replica {self.replica} of {', '.join(self.services)}"

    async def inject(self, system: System) -> None:
        for service in self.services:
            self.pids.append(system.signal(service, signal.SIGKILL, self.replica))

    async def heal(self, system: System) -> None:
        """Nothing: the supervisor restarts each."""


@dataclass
class StoreKill:
    """kill -9 the MongoDB stand-in and start it again `restart_after` seconds later, on the same port
    and data directory, as a supervisor would: what the store had not made durable is gone."""

    restart_after: float = 1.0
    description: str = "kill -9 the document store, restarted after 1 s"

    async def inject(self, system: System) -> None:
        await system.kill_store()
        try:
            await asyncio.sleep(self.restart_after)
        finally:  # cancelled or not, the store comes back
            await system.start_store()

    async def heal(self, system: System) -> None:
        """Nothing: inject started it again."""


@dataclass(frozen=True)
class Failpoint:
    """No action of the harness: the scenario's environment arms the failpoint and the service kills
    itself there (conformance.scenarios.failpoint_env). `inject` waits for that crash (the point's marker
    in `<run dir>/failpoints`, then its process gone), so readiness is measured from the crash; a point
    that did not fire within `within` seconds is left to the checker's failpoint-fired verdict."""

    name: str
    nth: int
    service: str
    within: float = 30.0

    @property
    def description(self) -> str:
        return f"{self.service} crashes at {self.name} (reach {self.nth})"

    async def inject(self, system: System) -> None:
        marker = system.endpoints.run_dir / "failpoints" / self.name
        deadline = time.monotonic() + self.within
        while not marker.exists():
            if time.monotonic() > deadline:
                return
            await asyncio.sleep(0.05)
        with contextlib.suppress(OSError, ValueError):  # the marker holds the pid that fired
            pid = int(marker.read_text().split()[0])
            while alive(pid):
                if time.monotonic() > deadline + 5:
                    return
                await asyncio.sleep(0.02)

    async def heal(self, system: System) -> None:
        """Nothing: the supervisor restarts the service, and the marker keeps the point from firing
        again."""


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, killed and not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
