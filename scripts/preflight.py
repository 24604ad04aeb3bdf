#!/usr/bin/env python3
"""What `make run` and `make test` need on this machine, checked before they start anything: PostgreSQL
at POSTGRES_DSN, RabbitMQ at RABBITMQ_URL with the consistent-hash exchange (the projector's and the
notifier's shards) and the management API (`make run` makes the services' users through it, the tests a
vhost each), and MongoDB at MONGODB_URL when it is set (else the stand-in `make install` puts beside
Python). The first thing missing is printed as one line naming it and the command that fixes it, exit 4.

    python scripts/preflight.py run|test
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from innkeeper_kit.preflight import EXIT_CODE, Check, Finding, first_missing
from innkeeper_kit.preflight.mongodb import mongodb_reachable
from innkeeper_kit.preflight.postgres import postgres_reachable
from innkeeper_kit.preflight.rabbitmq import CONSISTENT_HASH, rabbitmq_management, rabbitmq_ready

DEFAULTS = {
    "POSTGRES_DSN": "postgresql://postgres@127.0.0.1:5432/test",
    "RABBITMQ_URL": "amqp://guest:guest@127.0.0.1:5672/",
}


def machine_checks(env: Mapping[str, str]) -> list[Check]:
    """What both `make run` and `make test` need, in the order a fresh machine would fix it."""
    settings = {**DEFAULTS, **env}
    broker = settings["RABBITMQ_URL"]
    checks = [
        postgres_reachable(settings["POSTGRES_DSN"]),
        rabbitmq_ready(broker, CONSISTENT_HASH),
        rabbitmq_management(broker, settings.get("RABBITMQ_MANAGEMENT_URL", "")),
    ]
    mongodb = settings.get("MONGODB_URL")
    return [*checks, mongodb_reachable(mongodb) if mongodb else stand_in_installed]


def stand_in_executable() -> str | None:
    """The MongoDB stand-in `make install` puts beside Python (else one on PATH); None when missing."""
    beside_python = Path(sys.executable).with_name("secantusd-py")
    return str(beside_python) if beside_python.exists() else shutil.which("secantusd-py")


async def stand_in_installed() -> Finding | None:
    if stand_in_executable() is not None:
        return None
    return Finding(
        "the MongoDB stand-in (secantusd-py) is not installed", "make install (or set MONGODB_URL)"
    )


def report(target: str) -> int:
    """0 when everything is there; else `make <target>: <line>` on stderr and `EXIT_CODE`."""
    if (finding := asyncio.run(first_missing(machine_checks(os.environ)))) is not None:
        print(f"make {target}: {finding.line}", file=sys.stderr, flush=True)
        return EXIT_CODE
    return 0


def main(argv: list[str]) -> int:
    if argv not in (["run"], ["test"]):
        print("usage: python scripts/preflight.py run|test", file=sys.stderr)
        return 2
    return report(argv[0])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
