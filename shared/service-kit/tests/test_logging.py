"""The configured output, as a process writes it: one format for every line (the service's own and the
standard library's), the service name and bound ids on each, and no guest personal data anywhere."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
import structlog

from innkeeper_kit.logging import UVICORN_LOGGERS, WIRE_LOGGERS, configure_logging

DOCUMENT = {"_id": "b-1", "hotel_id": "h-1", "guest": {"name": "Ann Berg", "email": "ann@example.com"}}
PERSONAL = ("Ann Berg", "ann@example.com")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class BulkWriteError(Exception):
    """Stands in for pymongo's: its text echoes the document that failed."""


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """configure_logging changes process-wide state: give the other tests theirs back."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    uvicorn = {
        name: (logging.getLogger(name).handlers[:], logging.getLogger(name).propagate)
        for name in UVICORN_LOGGERS
    }
    wire = {name: logging.getLogger(name).level for name in WIRE_LOGGERS}
    yield
    for name, level in wire.items():
        logging.getLogger(name).setLevel(level)
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()
    root.handlers[:], root.level = saved
    for name, (handlers, propagate) in uvicorn.items():
        logging.getLogger(name).handlers[:] = handlers
        logging.getLogger(name).propagate = propagate


def log_a_failed_write() -> None:
    """The service's line and a driver's line, both with a traceback that echoes the document."""
    structlog.contextvars.bind_contextvars(correlation_id="corr-7")
    try:
        raise BulkWriteError(f"batch op errors occurred, full error: {{'op': {DOCUMENT!r}}}")
    except BulkWriteError:
        structlog.get_logger("test").exception("batch failed", shard="3", guest_email="ann@example.com")
        logging.getLogger("pymongo").error("write to %s failed", "bookings", exc_info=True)
    access = logging.getLogger("uvicorn.access")  # uvicorn's own format, with a query string
    access.info(
        '%s - "%s %s HTTP/%s" %d', "10.0.0.1:5123", "GET", "/bookings?email=ann@example.com", "1.1", 200
    )


def test_json_lines_name_the_service_carry_the_ids_and_no_personal_data(
    capfd: pytest.CaptureFixture[str],
) -> None:
    configure_logging("command-service", "INFO", "json")
    log_a_failed_write()
    err = capfd.readouterr().err
    own, driver, access = [json.loads(line) for line in err.splitlines()]  # each line is valid JSON
    assert not [word for word in PERSONAL if word in err]
    assert {line["service"] for line in (own, driver, access)} == {"command-service"}
    assert {line["correlation_id"] for line in (own, driver, access)} == {"corr-7"}
    assert (own["event"], own["level"], own["shard"], own["guest_email"]) == (
        "batch failed",
        "error",
        "3",
        "[redacted]",
    )
    assert "BulkWriteError" in own["exception"]
    assert "'hotel_id': 'h-1'" in own["exception"]  # what is not personal stays, to debug with
    assert (driver["event"], driver["logger"], driver["level"]) == (
        "write to bookings failed",
        "pymongo",
        "error",
    )
    assert "BulkWriteError" in driver["exception"]
    assert "'hotel_id': 'h-1'" in driver["exception"]
    # A bare value runs to the next delimiter: over-redaction is the price of a name with spaces.
    assert access["event"] == '10.0.0.1:5123 - "GET /bookings?email=[redacted]" 200'
    assert own["timestamp"].endswith("Z")


def test_console_lines_are_scrubbed_too(capfd: pytest.CaptureFixture[str]) -> None:
    configure_logging("projector", "INFO", "console")
    log_a_failed_write()
    err = ANSI.sub("", capfd.readouterr().err)
    assert not [word for word in PERSONAL if word in err]
    assert "batch failed" in err
    assert "write to bookings failed" in err
    assert "service=projector" in err
    assert "correlation_id=corr-7" in err
    assert err.count("BulkWriteError: batch op errors occurred") == 2
    with pytest.raises(json.JSONDecodeError):
        json.loads(err.splitlines()[0])


def test_the_level_filters_both_kinds_of_lines(capfd: pytest.CaptureFixture[str]) -> None:
    configure_logging("query-service", "WARNING", "json")
    structlog.get_logger().info("query.answered", status=200)
    logging.getLogger("uvicorn.error").info("Started server process")
    structlog.get_logger().warning("query.answered", status=503)
    logging.getLogger("aio_pika").warning("connection lost")
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines()]
    assert [(line["event"], line["service"]) for line in lines] == [
        ("query.answered", "query-service"),
        ("connection lost", "query-service"),
    ]


def test_json_lines_without_a_binary_stderr_use_the_text_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    stderr = io.StringIO()
    monkeypatch.setattr("sys.stderr", stderr)
    configure_logging("command-service", "DEBUG", "json")
    structlog.get_logger().debug("command.accepted", guest_name="Ann Berg", nights=2)
    [line] = [json.loads(text) for text in stderr.getvalue().splitlines()]
    assert (line["guest_name"], line["nights"], line["service"]) == ("[redacted]", 2, "command-service")


def test_uvicorn_loggers_lose_their_own_handlers() -> None:
    logging.getLogger("uvicorn.access").addHandler(logging.NullHandler())
    logging.getLogger("uvicorn.access").propagate = False
    configure_logging("query-service", "INFO", "json")
    assert not logging.getLogger("uvicorn.access").handlers
    assert logging.getLogger("uvicorn.access").propagate
    assert len(logging.getLogger().handlers) == 1


def test_drivers_that_dump_whole_messages_stay_at_info_when_the_service_debugs() -> None:
    configure_logging("test-service", "DEBUG", "json")
    assert logging.getLogger("innkeeper.anything").getEffectiveLevel() == logging.DEBUG
    for name in ("aiormq.connection", "pymongo.command", "asyncpg"):
        assert logging.getLogger(name).getEffectiveLevel() == logging.INFO, name
    configure_logging("test-service", "WARNING", "json")
    assert logging.getLogger("aiormq").getEffectiveLevel() == logging.WARNING
