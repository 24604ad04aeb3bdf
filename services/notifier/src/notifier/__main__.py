"""`python -m notifier` serves; `failed`, `retry` and `discard` are the operator's dead-letter tools."""

from __future__ import annotations

import argparse
import asyncio
import sys

from .logging import configure_logging
from .settings import load_settings


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


def main(argv: list[str] | None = None) -> int:
    arguments = parse(sys.argv[1:] if argv is None else argv)
    settings = load_settings()
    configure_logging(settings)
    if arguments.command in (None, "serve"):
        from innkeeper_kit.serving import serve

        from .app import create_app

        serve(create_app(settings), settings, settings.port)
        return 0
    from . import operations

    if arguments.command == "failed":
        return asyncio.run(operations.failed(settings))
    ids = None if arguments.all else arguments.ids
    if arguments.command == "retry":
        return asyncio.run(operations.retry(settings, ids))
    return asyncio.run(operations.discard(settings, ids))


if __name__ == "__main__":
    sys.exit(main())
