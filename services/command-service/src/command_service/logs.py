"""structlog set-up: JSON (or console) lines carrying the service name and the correlation id.

The standard library's loggers (uvicorn, FastStream, asyncio) go through the same renderer
(`ProcessorFormatter`), so every line of the process is in one format and names the service.
"""

from __future__ import annotations

import logging
import sys

import structlog

SERVICE_NAME = "command-service"


def configure_logging(level: str, log_format: str) -> None:
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if log_format == "json" else structlog.dev.ConsoleRenderer()
    )
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_service,
    ]
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True


def faststream_logger() -> logging.Logger:
    """FastStream's logger, without its own handler: its lines go through the formatter above."""
    return logging.getLogger("command_service.faststream")


def _add_service(_: object, __: str, event_dict: structlog.types.EventDict) -> structlog.types.EventDict:
    event_dict.setdefault("service", SERVICE_NAME)
    return event_dict
