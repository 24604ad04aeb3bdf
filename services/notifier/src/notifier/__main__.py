"""`python -m notifier` serves; `failed`, `retry` and `discard` are the operator's dead-letter tools."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from innkeeper_kit.entry import serve_or_run_tool
from innkeeper_kit.preflight import Check
from innkeeper_kit.preflight.personal import master_keys_set
from innkeeper_kit.preflight.ports import port_free
from innkeeper_kit.preflight.postgres import postgres_reachable
from innkeeper_kit.preflight.rabbitmq import CONSISTENT_HASH, rabbitmq_ready

from .logs import configure_logging
from .settings import Settings, load_settings

if TYPE_CHECKING:
    from fastapi import FastAPI


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m notifier", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="deliver mails and webhooks (the default)")
    commands.add_parser("failed", help="list dead-lettered deliveries, one JSON line each")
    for name, what in (("retry", "send again from the first attempt"), ("discard", "give up for good")):
        action = commands.add_parser(name, help=f"dead-lettered deliveries: {what}")
        which = action.add_mutually_exclusive_group(required=True)
        which.add_argument("--id", type=int, action="append", dest="ids", help="a delivery id (repeatable)")
        which.add_argument("--all", action="store_true", help="every dead-lettered delivery")
    return parser.parse_args(argv)


def create_app(settings: Settings) -> FastAPI:
    from .app import create_app

    return create_app(settings)


async def run_tool(settings: Settings, arguments: argparse.Namespace) -> int:
    from . import cli

    if arguments.command == "failed":
        return await cli.failed(settings)
    ids = None if arguments.all else arguments.ids
    if arguments.command == "retry":
        return await cli.retry(settings, ids)
    return await cli.discard(settings, ids)


def prerequisites(settings: Settings, command: str) -> list[Check]:
    """What `command` needs before it starts (docs/running.md, "Preflight"). Its own tables (created at
    start) and, to send, the master key that opens the guests' data keys (`guest_keys`, read at each
    send: a table not there yet is waited for, like a database that is away)."""
    store = postgres_reachable(settings.postgres_dsn)
    if command == "serve":
        return [
            master_keys_set(settings, "no guest's data key could be opened, no guest's mail sent"),
            port_free(settings.port),
            store,
            rabbitmq_ready(settings.rabbitmq_url, CONSISTENT_HASH),
        ]
    return [store]  # failed, retry, discard: the deliveries table


def main(argv: list[str] | None = None) -> int:
    arguments = parse(sys.argv[1:] if argv is None else argv)
    return serve_or_run_tool(
        arguments,
        load_settings,
        configure_logging,
        create_app,
        run_tool,
        service="notifier",
        prerequisites=prerequisites,
    )


if __name__ == "__main__":
    sys.exit(main())
