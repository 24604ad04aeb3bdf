"""structlog set-up shared by the services: JSON (or console) lines carrying the service name, the bound
context (correlation and causation ids), inside a span its `trace_id`/`span_id`, and no guest personal
data.

The standard library's loggers (uvicorn, aio-pika, pymongo, FastStream, asyncio) go through the same
renderer (`ProcessorFormatter`), so every line of the process is in one format and names the service.
Exceptions are formatted to text before `redact_personal_data`, so a traceback or a driver's error that
echoes a document is scrubbed like any other value.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import orjson
import structlog
from opentelemetry import trace
from structlog.typing import EventDict, Processor, WrappedLogger

from innkeeper_kit.redaction import redact_personal_data

if TYPE_CHECKING:
    from innkeeper_contracts import EventEnvelope

UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
WIRE_LOGGERS = ("aiormq", "aio_pika", "pamqp", "pymongo", "asyncpg", "httpcore", "httpx")
"""Drivers whose DEBUG lines dump frames, commands and documents whole: a guest's data in any field of a
message, where no key says it is personal. They stay at INFO when the service runs at DEBUG."""


def event_fields(event: EventEnvelope) -> dict[str, str]:
    """The fields every service's lines about one event carry, so one grep follows it from the command
    service through the projector and the notifier."""
    return {
        "event_id": str(event.event_id),
        "event_type": event.event_type,
        "correlation_id": event.correlation_id,
    }


def configure_logging(service: str, level: str, log_format: str) -> None:
    """Configure structlog and the standard library's root logger for the whole process.

    `level` is a level name (`DEBUG`, `INFO`, …); `log_format` is `json` or `console`.
    """
    numeric_level = logging.getLevelNamesMapping()[level.upper()]
    json_lines = log_format == "json"
    renderer: Processor = (
        structlog.processors.JSONRenderer() if json_lines else structlog.dev.ConsoleRenderer()
    )
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _service_field(service),
        add_trace_ids,
    ]
    own_renderer, own_output = _own_output(renderer, json_lines)
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, redact_personal_data, own_renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=own_output,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
            # The meta keys go first so redaction walks only what gets rendered.
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                redact_personal_data,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric_level)
    for name in WIRE_LOGGERS:
        logging.getLogger(name).setLevel(max(numeric_level, logging.INFO))
    # uvicorn installs handlers of its own; without them its lines reach the root handler above.
    for name in UVICORN_LOGGERS:
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True


def _own_output(renderer: Processor, json_lines: bool) -> tuple[Processor, Callable[..., WrappedLogger]]:
    """The service's own lines (one per command at INFO) as orjson bytes straight to stderr's buffer:
    about half the cost of json.dumps + print. The standard library's lines keep the text renderer."""
    binary = getattr(sys.stderr, "buffer", None)
    if json_lines and binary is not None:
        own_renderer = structlog.processors.JSONRenderer(
            serializer=orjson.dumps, option=orjson.OPT_NON_STR_KEYS
        )
        return own_renderer, structlog.BytesLoggerFactory(binary)
    return renderer, structlog.PrintLoggerFactory(sys.stderr)


def add_trace_ids(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """`trace_id` and `span_id` (hex, as trace viewers show them) on a line logged inside a span; while
    tracing is off there is never one, and this costs one context look-up."""
    span_context = trace.get_current_span().get_span_context()
    if span_context.is_valid:
        event_dict["trace_id"] = format(span_context.trace_id, "032x")
        event_dict["span_id"] = format(span_context.span_id, "016x")
    return event_dict


def _service_field(service: str) -> Processor:
    def add_service(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
        event_dict.setdefault("service", service)
        return event_dict

    return add_service
