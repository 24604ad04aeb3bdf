"""`python -m query_service`: serve the query API with uvicorn on PORT."""

from __future__ import annotations

import sys

from innkeeper_kit.preflight import check_or_exit, rides_out
from innkeeper_kit.preflight.mongodb import mongodb_reachable
from innkeeper_kit.preflight.ports import port_free
from innkeeper_kit.serving import serve

from .app import create_app
from .logs import configure_logging
from .settings import load_settings


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args not in ([], ["serve"]):
        sys.exit("usage: python -m query_service [serve]")
    settings = load_settings()
    # MongoDB not reachable yet is ridden out (503 with Retry-After until it is); a held port is not.
    readable = rides_out(mongodb_reachable(settings.mongodb_url))
    check_or_exit("query-service", [port_free(settings.port), readable])
    configure_logging(settings)
    serve(
        create_app(settings),
        settings,
        settings.port,
        loop="uvloop",  # both ship with uvicorn[standard]; named so a missing one fails loudly
        http="httptools",
        log_level=settings.log_level.lower(),
        proxy_headers=True,
        timeout_graceful_shutdown=max(int(settings.shutdown_timeout_seconds), 1),
    )


if __name__ == "__main__":
    main()
