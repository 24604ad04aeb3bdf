"""What `make run` runs where (scripts/run_local.py): the services, their replicas and ports, and the
settings SERVICE_ENV gives one service or one replica."""

from __future__ import annotations

import json

PACKAGES = {
    "command-service": "command_service",
    "projector": "projector",
    "query-service": "query_service",
    "notifier": "notifier",
}
REPLICATED = ("command-service", "query-service", "projector")
"""Services REPLICAS multiplies; the notifier stays single (one sender of each mail)."""
REPLICA_PORT_STEP = 100


class StartupError(Exception):
    """Innkeeper could not be started; the message says why."""


def replica_ports(service: str, port: int, replicas: int) -> list[int]:
    """The ports of a service's processes: `port`, then + 100 for each further replica."""
    count = replicas if service in REPLICATED else 1
    return [port + REPLICA_PORT_STEP * replica for replica in range(count)]


def process_names(replicas: int) -> list[str]:
    """What SERVICE_ENV may name: each service, and each further replica as the table lists it."""
    names = list(PACKAGES)
    names += [f"{name}-{k}" for name in REPLICATED for k in range(2, replicas + 1)]
    return names


def overrides_by_process(setting: str, replicas: int) -> dict[str, dict[str, str]]:
    """SERVICE_ENV parsed: process name -> variables. Raises StartupError when it is not a JSON object
    of objects of strings, or names no service or replica (a typo would otherwise go unnoticed)."""
    if not setting.strip():
        return {}
    try:
        parsed: object = json.loads(setting)
    except json.JSONDecodeError as error:
        raise StartupError(f"SERVICE_ENV is not JSON: {error}") from None
    if not isinstance(parsed, dict) or not all(
        isinstance(env, dict) and all(isinstance(v, str) for v in env.values()) for env in parsed.values()
    ):
        raise StartupError('SERVICE_ENV must map names to objects of strings: {"projector": {"A": "1"}}')
    known = process_names(replicas)
    if unknown := sorted(set(parsed) - set(known)):
        raise StartupError(f"SERVICE_ENV names {', '.join(unknown)}: known are {', '.join(known)}")
    return {name: dict(env) for name, env in parsed.items()}
