"""The system under test, as the harness sees it: where its parts answer (`Endpoints`) and what can be done
to them (`System`). `LocalSystem` (conformance.system_local) runs it as `make run` does, on this machine,
behind proxies; `ComposeSystem` (conformance.system_compose) points at a docker compose stack."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from conformance.proxy import ToxicProxy

SERVICES = ("command-service", "projector", "query-service", "notifier")
REPLICATED = ("command-service", "query-service", "projector")
"""Services that run `replicas` processes; the notifier stays single."""
PACKAGES = {
    "command-service": "command_service",
    "projector": "projector",
    "query-service": "query_service",
    "notifier": "notifier",
}


@dataclass(frozen=True)
class Endpoints:
    command_urls: list[str]
    query_urls: list[str]
    projector_urls: list[str]
    notifier_url: str
    amqp_url: str  # direct (not proxied), the run's vhost, admin credentials
    management_url: str
    management_user: str
    management_password: str
    vhost: str
    postgres_dsn: str  # direct, the run's own database
    mongodb_url: str  # direct
    mongodb_database: str
    mail_dir: Path
    admin_token: str
    run_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    """The projector's environment with direct URLs: `python -m projector verify` runs with it."""

    def service_urls(self) -> dict[str, list[str]]:
        """Service → the HTTP base URL of each of its replicas."""
        return {
            "command-service": self.command_urls,
            "projector": self.projector_urls,
            "query-service": self.query_urls,
            "notifier": [self.notifier_url],
        }


class System(Protocol):
    endpoints: Endpoints
    proxies: dict[str, ToxicProxy]  # "postgres", "rabbitmq", "mongodb"

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    def pids(self, service: str) -> list[int]: ...
    def signal(self, service: str, signum: int, replica: int = 0) -> int: ...
    async def ready_seconds(self, timeout: float) -> float: ...  # noqa: ASYNC109  (the design's name)
    async def kill_store(self) -> None: ...
    async def start_store(self) -> None: ...
    async def rabbitmq(self, action: str) -> None: ...
    async def postgres(self, action: str) -> None: ...


class NotAvailableError(Exception):
    """The target cannot do this (e.g. a partition on compose, which has no proxies)."""


def make_system(
    target: str, scenario: str, env: dict[str, str], replicas: int = 1, keep: bool = False
) -> System:
    """The system for one scenario run: "local" (as `make run`) or "compose" (an existing stack)."""
    if target == "local":
        from conformance.system_local import LocalSystem

        return LocalSystem(scenario, env=env, replicas=replicas, keep=keep)
    if target == "compose":
        from conformance.system_compose import ComposeSystem

        return ComposeSystem(scenario, env=env, replicas=replicas)
    raise ValueError(f"unknown target {target!r}: local or compose")
