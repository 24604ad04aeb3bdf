"""`python -m query_service`: serve the query API with uvicorn on PORT."""

from __future__ import annotations

import signal
import sys
from types import FrameType

import uvicorn

from .app import create_app
from .logs import configure_logging
from .settings import load_settings


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args not in ([], ["serve"]):
        sys.exit("usage: python -m query_service [serve]")
    settings = load_settings()
    configure_logging(settings)
    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal with the handler it found:
    # this one turns that into exit code 0, so orchestrators see a clean stop.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    uvicorn.run(
        create_app(settings),
        host="0.0.0.0",
        port=settings.port,
        loop="uvloop",  # both ship with uvicorn[standard]; named so a missing one fails loudly
        http="httptools",
        log_config=None,  # configure_logging routes uvicorn's loggers through structlog
        log_level=settings.log_level.lower(),
        access_log=False,
        proxy_headers=True,
        timeout_graceful_shutdown=max(int(settings.shutdown_timeout_seconds), 1),
        **settings.http_server_bounds,
    )


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)


if __name__ == "__main__":
    main()
