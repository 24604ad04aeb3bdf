"""Serve a service's app with uvicorn the way every service does: its bounds, its logging, a clean exit."""

from __future__ import annotations

import signal
import sys
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI

from innkeeper_kit.settings import ServiceSettings

LISTEN_ADDRESS = "0.0.0.0"
"""Where the HTTP server listens: every address (a container's own network address is its replica's).
Read at start, by the server and by the preflight's port check."""


def serve(app: FastAPI, settings: ServiceSettings, port: int, **options: Any) -> None:
    """Run `app` on `port` until SIGTERM (or Ctrl-C). uvicorn's logs go through the service's structlog
    set-up (no config of its own, no access log: the services log their requests themselves); the
    connection bounds are the settings'; a graceful stop waits up to half the shutdown timeout for the
    requests in flight (`options` may say otherwise), and exits 0."""
    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal with the handler it found at
    # start: this one, so a graceful stop exits 0 and orchestrators see a clean stop.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    defaults: dict[str, Any] = {
        "timeout_graceful_shutdown": max(int(settings.shutdown_timeout_seconds / 2), 1),
        **settings.http_server_bounds,
    }
    options = defaults | options
    uvicorn.run(app, host=LISTEN_ADDRESS, port=port, log_config=None, access_log=False, **options)


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)
