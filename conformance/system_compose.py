"""TARGET=compose: a docker compose stack someone already started (`make up`), faults through the docker
CLI. Untested here: this machine has no Docker, so this stays small and plain.

Where things are, from the environment (defaults: the ports docker-compose.yml publishes):
  CONFORMANCE_COMMAND_URL (http://127.0.0.1:8001), CONFORMANCE_QUERY_URL (:8002),
  CONFORMANCE_PROJECTOR_URL (:8003), CONFORMANCE_NOTIFIER_URL (:8004),
  CONFORMANCE_AMQP_URL (an admin's URL with the stack's vhost), CONFORMANCE_MANAGEMENT_URL
  (http://user:password@127.0.0.1:15672), CONFORMANCE_POSTGRES_DSN, CONFORMANCE_MONGODB_URL,
  MONGODB_DATABASE (innkeeper), CONFORMANCE_MAIL_DIR (the catcher's directory, if any),
  CONFORMANCE_ADMIN_TOKEN (a bearer token with role admin), CONFORMANCE_VERIFY_ENV (JSON: the
  projector's environment for `projector verify`, PII_MASTER_KEYS included), COMPOSE_FILE.
There are no proxies (partition and latency scenarios are "not available on compose"), one process per
service (replicas > 1 is not available either), and the stack is not fresh: its data stays afterwards.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from conformance.proxy import ToxicProxy
from conformance.system import SERVICES, Endpoints, NotAvailableError
from conformance.system_infra import run_command, wait_ready

ROOT = Path(__file__).resolve().parents[1]
RABBITMQ_ACTIONS = {"stop_app": ["exec", "-T", "rabbitmq", "rabbitmqctl", "stop_app"]}
RABBITMQ_ACTIONS["start_app"] = ["exec", "-T", "rabbitmq", "rabbitmqctl", "start_app"]


class NoProxies(dict[str, ToxicProxy]):
    """Compose has no proxies: asking for one says the fault is not available here."""

    def __missing__(self, dependency: str) -> ToxicProxy:
        raise NotAvailableError(f"partitions and latency need a proxy in front of {dependency}: local only")


def setting(name: str, default: str = "") -> str:
    return os.environ.get(f"CONFORMANCE_{name}", default)


class ComposeSystem:
    """The compose stack's services as the harness sees them; faults by `docker compose kill/restart/exec`."""

    def __init__(self, scenario: str, env: dict[str, str] | None = None, replicas: int = 1) -> None:
        if replicas != 1:
            raise NotAvailableError("replicas are not available on compose")
        if env:
            raise NotAvailableError(
                f"service settings ({', '.join(sorted(env))}) are not available on compose"
            )
        self.scenario = scenario
        self.compose = [
            "docker",
            "compose",
            "-f",
            os.environ.get("COMPOSE_FILE", str(ROOT / "docker-compose.yml")),
        ]
        self.proxies: dict[str, ToxicProxy] = NoProxies()
        management = urlsplit(setting("MANAGEMENT_URL", "http://guest:guest@127.0.0.1:15672"))
        amqp = setting("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
        run_dir = ROOT / ".run" / "conformance" / f"{scenario}-compose"
        self.endpoints = Endpoints(
            command_urls=[setting("COMMAND_URL", "http://127.0.0.1:8001")],
            query_urls=[setting("QUERY_URL", "http://127.0.0.1:8002")],
            projector_urls=[setting("PROJECTOR_URL", "http://127.0.0.1:8003")],
            notifier_url=setting("NOTIFIER_URL", "http://127.0.0.1:8004"),
            amqp_url=amqp,
            management_url=f"{management.scheme}://{management.hostname}:{management.port or 15672}",
            management_user=unquote(management.username or "guest"),
            management_password=unquote(management.password or "guest"),
            vhost=unquote(urlsplit(amqp).path[1:]) or "/",
            postgres_dsn=setting("POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/innkeeper"),
            mongodb_url=setting("MONGODB_URL", "mongodb://127.0.0.1:27017/?directConnection=true"),
            mongodb_database=os.environ.get("MONGODB_DATABASE", "innkeeper"),
            mail_dir=Path(setting("MAIL_DIR", str(run_dir / "mail"))),
            admin_token=setting("ADMIN_TOKEN"),
            run_dir=run_dir,
            env=json.loads(setting("VERIFY_ENV", "{}")),
        )

    async def start(self) -> None:
        self.endpoints.run_dir.mkdir(parents=True, exist_ok=True)
        await self.ready_seconds(60)

    async def stop(self) -> None:
        """The stack stays up: it is not ours."""

    async def docker(self, *arguments: str) -> None:
        await run_command(*self.compose, *arguments)

    def pids(self, service: str) -> list[int]:
        raise NotAvailableError("process ids are not available on compose")

    def signal(self, service: str, signum: int, replica: int = 0) -> int:
        if replica:
            raise NotAvailableError("replicas are not available on compose")
        # Fire and forget: the caller is synchronous; compose's restart policy brings the service back.
        name = {9: "KILL", 15: "TERM"}.get(signum, str(signum))
        task = asyncio.get_running_loop().create_task(self.docker("kill", "-s", name, service))
        task.add_done_callback(lambda done: done.exception())
        return 0

    async def ready_seconds(self, timeout: float) -> float:  # noqa: ASYNC109  (the design's name)
        urls = [url for service in SERVICES for url in self.endpoints.service_urls()[service]]
        return await wait_ready(urls, timeout)

    async def kill_store(self) -> None:
        await self.docker("kill", "-s", "KILL", "mongo")

    async def start_store(self) -> None:
        await self.docker("start", "mongo")

    async def rabbitmq(self, action: str) -> None:
        await self.docker(*RABBITMQ_ACTIONS[action])
        if action == "start_app":
            await self.docker("exec", "-T", "rabbitmq", "rabbitmqctl", "await_startup")

    async def postgres(self, action: str) -> None:
        await self.docker(action, "postgres")
