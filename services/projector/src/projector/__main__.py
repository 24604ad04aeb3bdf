"""`python -m projector` serves; `rebuild`, `verify` and `dead-letters list|retry|skip` are operator tools."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from innkeeper_kit.entry import serve_or_run_tool

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


def main(argv: list[str] | None = None) -> int:
    arguments = parse(sys.argv[1:] if argv is None else argv)
    return serve_or_run_tool(arguments, load_settings, configure_logging, create_app, run_tool)


if __name__ == "__main__":
    sys.exit(main())
