"""`python -m projector` serves; `rebuild`, `verify` and `dead-letters list|retry|skip` are operator tools."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from types import FrameType

from .logging import configure_logging
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
        import uvicorn

        from .app import create_app

        # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal with the handler it found
        # at start: this one, so a graceful stop exits 0.
        signal.signal(signal.SIGTERM, _exit_cleanly)
        uvicorn.run(
            create_app(settings),
            host="0.0.0.0",
            port=settings.port,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=max(int(settings.shutdown_timeout_seconds / 2), 1),
            **settings.http_server_bounds,
        )
        return 0
    from . import operations

    if arguments.command == "rebuild":
        return asyncio.run(operations.rebuild(settings, keep_old=arguments.keep_old))
    if arguments.command == "verify":
        return asyncio.run(operations.verify(settings))
    return asyncio.run(operations.dead_letters(settings, arguments.action, arguments.ids or []))


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)


if __name__ == "__main__":
    sys.exit(main())
