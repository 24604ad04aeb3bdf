"""`python -m projector` serves; `rebuild`, `verify` and `dead-letters list|retry|skip` are operator tools."""

from __future__ import annotations

import argparse
import asyncio
import sys

from .logs import configure_logging
from .settings import load_settings


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


def main(argv: list[str] | None = None) -> int:
    arguments = parse(sys.argv[1:] if argv is None else argv)
    settings = load_settings()
    configure_logging(settings)
    if arguments.command in (None, "serve"):
        from innkeeper_kit.serving import serve

        from .app import create_app

        serve(create_app(settings), settings, settings.port)
        return 0
    from . import cli

    if arguments.command == "rebuild":
        return asyncio.run(cli.rebuild(settings, keep_old=arguments.keep_old))
    if arguments.command == "verify":
        return asyncio.run(cli.verify(settings))
    return asyncio.run(cli.dead_letters(settings, arguments.action, arguments.ids or []))


if __name__ == "__main__":
    sys.exit(main())
