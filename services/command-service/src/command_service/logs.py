"""structlog set-up: JSON (or console) lines carrying the service name and the correlation id."""

from __future__ import annotations

import logging
import sys

import structlog

SERVICE_NAME = "command-service"


def configure_logging(level: str, log_format: str) -> None:
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if log_format == "json" else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _add_service,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")


def _add_service(_: object, __: str, event_dict: structlog.types.EventDict) -> structlog.types.EventDict:
    event_dict.setdefault("service", SERVICE_NAME)
    return event_dict
