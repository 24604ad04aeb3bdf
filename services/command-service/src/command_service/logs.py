"""structlog set-up: JSON (or console) lines carrying the service name and the correlation id.

The standard library's loggers (uvicorn, FastStream, asyncio) go through the same renderer
(`ProcessorFormatter`), so every line of the process is in one format and names the service.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

import orjson
import structlog

SERVICE_NAME = "command-service"


def configure_logging(level: str, log_format: str) -> None:
    json_lines = log_format == "json"
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json_lines else structlog.dev.ConsoleRenderer()
    )
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_service,
    ]
    own_renderer, own_output = _own_output(renderer, json_lines)
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, own_renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=own_output,
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


def _own_output(
    renderer: structlog.types.Processor, json_lines: bool
) -> tuple[structlog.types.Processor, Callable[..., structlog.typing.WrappedLogger]]:
    """The service's own lines (one per command at INFO) as orjson bytes straight to stderr's buffer:
    about half the cost of json.dumps + print. The standard library's lines keep the text renderer."""
    binary = getattr(sys.stderr, "buffer", None)
    if json_lines and binary is not None:
        own_renderer = structlog.processors.JSONRenderer(
            serializer=orjson.dumps, option=orjson.OPT_NON_STR_KEYS
        )
        return own_renderer, structlog.BytesLoggerFactory(binary)
    return renderer, structlog.PrintLoggerFactory(sys.stderr)


def faststream_logger() -> logging.Logger:
    """FastStream's logger, without its own handler: its lines go through the formatter above."""
    return logging.getLogger("command_service.faststream")


def _add_service(_: object, __: str, event_dict: structlog.types.EventDict) -> structlog.types.EventDict:
    event_dict.setdefault("service", SERVICE_NAME)
    return event_dict
