"""`python -m projector` serves; `rebuild`, `verify` and `dead-letters list|retry|skip` are operator tools."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from innkeeper_kit.entry import serve_or_run_tool
from innkeeper_kit.preflight import Check
from innkeeper_kit.preflight.mongodb import mongodb_reachable
from innkeeper_kit.preflight.personal import master_keys_set
from innkeeper_kit.preflight.ports import port_free
from innkeeper_kit.preflight.postgres import postgres_migrated, postgres_reachable
from innkeeper_kit.preflight.rabbitmq import CONSISTENT_HASH, rabbitmq_ready

from .logs import configure_logging
from .settings import Settings, load_settings

if TYPE_CHECKING:
    from fastapi import FastAPI


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m projector", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="consume events into the read model (the default)")
    rebuild = commands.add_parser("rebuild", help="replay the event log into a new generation, then switch")
    rebuild.add_argument("--keep-old", action="store_true", help="do not drop the previous generation")
    commands.add_parser(
        "verify", help="compare the live read model with a fresh rebuild; exit 1 on differences"
    )
    letters = commands.add_parser("dead-letters", help="the parking lot of events that could not be applied")
    letters.add_argument("action", choices=["list", "retry", "skip"])
    letters.add_argument("--id", action="append", dest="ids", help="an entry id (repeatable)")
    return parser.parse_args(argv)


def create_app(settings: Settings) -> FastAPI:
    from .app import create_app

    return create_app(settings)


async def run_tool(settings: Settings, arguments: argparse.Namespace) -> int:
    from . import cli

    if arguments.command == "rebuild":
        return await cli.rebuild(settings, keep_old=arguments.keep_old)
    if arguments.command == "verify":
        return await cli.verify(settings)
    return await cli.dead_letters(settings, arguments.action, arguments.ids or [])


def prerequisites(settings: Settings, command: str) -> list[Check]:
    """What `command` needs before it starts (docs/running.md, "Preflight")."""
    dsn, store = settings.postgres_dsn, mongodb_reachable(settings.mongodb_url)
    keys = master_keys_set(settings, "the guests' personal data cannot be opened")
    if command == "serve":
        # Reachable, not migrated: the event log is read only to heal gaps, and the command service
        # migrates it at its own start, which may be running right now.
        broker = rabbitmq_ready(settings.rabbitmq_url, CONSISTENT_HASH)
        return [keys, port_free(settings.port), postgres_reachable(dsn), broker, store]
    if command in ("rebuild", "verify"):  # replay the event log
        return [keys, postgres_migrated(dsn), store]
    return [postgres_reachable(dsn), store, rabbitmq_ready(settings.rabbitmq_url)]  # dead-letters


def main(argv: list[str] | None = None) -> int:
    arguments = parse(sys.argv[1:] if argv is None else argv)
    return serve_or_run_tool(
        arguments,
        load_settings,
        configure_logging,
        create_app,
        run_tool,
        service="projector",
        prerequisites=prerequisites,
    )


if __name__ == "__main__":
    sys.exit(main())
