"""The tracing kit: traceparents in and out, the trace fields on log lines, and `configure_tracing`
installing the SDK only when an OTLP endpoint is set (in a subprocess: the global provider is set once per
process, and the other tests' apps must not see one)."""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
import structlog
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from innkeeper_kit.logging import configure_logging
from innkeeper_kit.tracing import context_from, current_traceparent, leave_trace, otlp_traces_endpoint

PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@pytest.fixture
def local_tracer() -> trace.Tracer:
    """A recording tracer of a provider of the test's own (never the global one)."""
    return TracerProvider().get_tracer("test")


def test_no_span_no_traceparent() -> None:
    assert current_traceparent() is None


def test_the_current_spans_traceparent(local_tracer: trace.Tracer) -> None:
    with local_tracer.start_as_current_span("work") as span:
        ids = span.get_span_context()
        assert current_traceparent() == f"00-{ids.trace_id:032x}-{ids.span_id:016x}-{ids.trace_flags:02x}"


@pytest.mark.parametrize("header", [PARENT, PARENT.encode()])
def test_a_header_becomes_the_parent(local_tracer: trace.Tracer, header: str | bytes) -> None:
    parent = context_from(header)
    assert parent is not None
    with local_tracer.start_as_current_span("child", context=parent) as span:
        assert format(span.get_span_context().trace_id, "032x") == "0af7651916cd43dd8448eb211c80319c"
        assert span.parent is not None
        assert span.parent.span_id == 0xB7AD6B7169203331


@pytest.mark.parametrize("header", [None, "", b"", "garbage", "00-" + "0" * 32 + "-" + "0" * 16 + "-01"])
def test_absent_or_invalid_headers_give_no_context(header: str | bytes | None) -> None:
    assert context_from(header) is None


@pytest.fixture
def captured_lines(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    output = io.StringIO()
    monkeypatch.setattr(sys, "stderr", output)
    configure_logging("test-service", "INFO", "json")
    yield output
    structlog.reset_defaults()


def test_log_lines_inside_a_span_carry_its_ids(
    local_tracer: trace.Tracer, captured_lines: io.StringIO
) -> None:
    log = structlog.get_logger("test")
    log.info("outside")
    with local_tracer.start_as_current_span("work") as span:
        log.info("inside")
    outside, inside = (json.loads(line) for line in captured_lines.getvalue().splitlines())
    ids = span.get_span_context()
    assert "trace_id" not in outside
    assert (inside["trace_id"], inside["span_id"]) == (f"{ids.trace_id:032x}", f"{ids.span_id:016x}")


def test_an_extracted_context_alone_logs_the_remote_ids(captured_lines: io.StringIO) -> None:
    token = otel_context.attach(context_from(PARENT) or otel_context.Context())
    try:
        structlog.get_logger("test").info("remote")
    finally:
        otel_context.detach(token)
    assert json.loads(captured_lines.getvalue())["trace_id"] == "0af7651916cd43dd8448eb211c80319c"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": ""}, None),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"}, "http://collector:4318/v1/traces"),
        (
            {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/t", "OTEL_EXPORTER_OTLP_ENDPOINT": ""},
            "http://c:4318/t",
        ),
    ],
)
def test_the_endpoint_empty_means_off(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str | None
) -> None:
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert otlp_traces_endpoint() == expected


PROBE = """
import json
from opentelemetry import trace
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.pymongo import PymongoInstrumentor
from innkeeper_kit.tracing import configure_tracing, shutdown_tracing, tracing_enabled
on = configure_tracing("booking-svc")
again = configure_tracing("booking-svc")
provider = trace.get_tracer_provider()
report = {
    "on": on, "again": again, "enabled": tracing_enabled(),
    "provider": type(provider).__name__,
    "service": str(getattr(provider, "resource", None) and provider.resource.attributes.get("service.name")),
    "asyncpg": AsyncPGInstrumentor().is_instrumented_by_opentelemetry,
    "pymongo": PymongoInstrumentor().is_instrumented_by_opentelemetry,
}
shutdown_tracing()
report["after_shutdown"] = tracing_enabled()
report["reconfigured"] = configure_tracing("booking-svc")
shutdown_tracing()
print(json.dumps(report))
"""


def run_probe(**env: str) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env={**clean, **env}, capture_output=True, text=True, check=True
    )
    report: dict[str, object] = json.loads(done.stdout)
    return report


def test_off_without_an_endpoint_installs_nothing() -> None:
    report = run_probe(OTEL_EXPORTER_OTLP_ENDPOINT="")
    assert (report["on"], report["enabled"], report["provider"]) == (False, False, "ProxyTracerProvider")
    assert (report["asyncpg"], report["pymongo"]) == (False, False)


def test_on_with_an_endpoint_installs_the_sdk_and_instrumentations() -> None:
    report = run_probe(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:9")
    assert (report["on"], report["again"], report["enabled"]) == (True, True, True)
    assert (report["provider"], report["service"]) == ("TracerProvider", "booking-svc")
    assert (report["asyncpg"], report["pymongo"]) == (True, True)
    assert (report["after_shutdown"], report["reconfigured"]) == (False, True)


def test_otel_service_name_wins() -> None:
    report = run_probe(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:9", OTEL_SERVICE_NAME="renamed")
    assert report["service"] == "renamed"


async def test_a_task_that_leaves_the_trace_starts_traces_of_its_own(local_tracer: trace.Tracer) -> None:
    async def background() -> str | None:
        leave_trace()
        return current_traceparent()

    with local_tracer.start_as_current_span("request"):
        assert await asyncio.create_task(background()) is None
        assert current_traceparent() is not None  # the request's own context is untouched
