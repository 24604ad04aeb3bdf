"""A description of the machine and software a run measured, for the report."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench.infra import Infra
from bench.procs import REPO


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return 0.0


def _package(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _rabbitmq_version(infra: Infra) -> str:
    try:
        overview = httpx.get(f"{infra.management_api}/api/overview", timeout=5).json()
        return str(overview.get("rabbitmq_version", "unknown"))
    except (httpx.HTTPError, ValueError):
        return "unknown"


def _postgres_version(infra: Infra) -> str:
    with psycopg.connect(infra.postgres_dsn) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "unknown"


def _git_commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, cwd=REPO, check=False)
    return done.stdout.decode().strip() or "unknown"


def describe(infra: Infra) -> dict[str, Any]:
    store = infra.store
    if store.startswith("SecantusDB"):
        store += f" {_package('secantusdb')} (in memory, pure Python)"
    return {
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "cpu": _cpu_model(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": _postgres_version(infra),
        "rabbitmq": _rabbitmq_version(infra),
        "store": store,
        "commit": _git_commit(),
    }


def one_line(machine: dict[str, Any]) -> str:
    return (
        f"{machine['cores']} cores, {machine['memory_gib']} GiB, {machine['cpu']}; "
        f"Python {machine['python']}, "
        f"PostgreSQL {machine['postgresql']}, RabbitMQ {machine['rabbitmq']}, store: {machine['store']}; "
        f"commit {machine['commit']}"
    )
