"""Requests that would hold a connection, against each HTTP service as a real process (uvicorn as
`python -m` starts it) on a raw socket, from an anonymous caller: a body that never arrives in full is a
408 problem and the connection is closed; past `HTTP_MAX_CONCURRENCY` uvicorn answers 503 itself."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from testkit.infra import free_port
from testkit.services import ServiceProcess

from fuzz.edge_client import GUARD_SECONDS, raw_exchange, short_body

SHORT = b'{"name": "Harbour Inn", "city": "Ber'
"""The first bytes of a body whose `Content-Length` promises 1000."""


@pytest.fixture
def services(service_env: dict[str, str], log_dir: Path) -> Iterator[dict[str, ServiceProcess]]:
    """The command and query services, each told to wait at most 1 s for a request body."""
    env = {**service_env, "REQUEST_BODY_TIMEOUT_SECONDS": "1"}
    with (
        ServiceProcess("command_service", env, free_port(), log_dir) as command,
        ServiceProcess("query_service", env, free_port(), log_dir) as query,
    ):
        yield {"command": command, "query": query}


@pytest.mark.parametrize(
    ("service", "method", "path"),
    [
        ("command", "POST", "/hotels"),  # a command, refused before its token is looked at
        ("command", "GET", "/healthz"),
        ("query", "GET", "/hotels"),  # a read takes no body, but one announced is waited for
        ("query", "POST", "/hotels"),
    ],
)
async def test_a_body_shorter_than_its_length_is_a_408_problem_and_the_connection_is_closed(
    services: dict[str, ServiceProcess], service: str, method: str, path: str
) -> None:
    process = services[service]
    status, headers, body = await raw_exchange(process, short_body(method, path, 1000, SHORT))
    assert status == 408, body
    assert headers["content-type"] == "application/problem+json"
    assert headers["connection"] == "close"  # the rest of the body may still come: framing is lost
    problem = json.loads(body)
    assert (problem["status"], problem["type"]) == (408, "https://innkeeper.dev/problems/request-timeout")
    assert problem["correlation_id"] == headers["x-correlation-id"]
    assert "1 seconds" in problem["detail"]
    assert "ASGI" not in process.logs()  # answered whole: the server saw no error, nothing half-sent


async def test_past_the_concurrency_bound_uvicorn_answers_503_itself(
    service_env: dict[str, str], log_dir: Path
) -> None:
    """`HTTP_MAX_CONCURRENCY` reaches uvicorn: with 2, one open connection is all a new request may find."""
    env = {**service_env, "HTTP_MAX_CONCURRENCY": "2"}
    probe = b"GET /healthz HTTP/1.1\r\nHost: innkeeper\r\n\r\n"
    for module in ("command_service", "query_service"):
        with ServiceProcess(module, env, free_port(), log_dir) as process:
            reader, idle = await asyncio.open_connection("127.0.0.1", process.port)
            try:  # a connection answered and kept open: counted
                idle.write(probe)
                kept = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), GUARD_SECONDS)
                status, headers, body = await raw_exchange(process, probe)
            finally:
                idle.close()
        assert kept.startswith(b"HTTP/1.1 200 "), module
        assert (status, body) == (503, b"Service Unavailable"), module
        assert headers["content-type"] == "text/plain; charset=utf-8"  # as the documents say: not ours
        assert "Exceeded concurrency limit" in process.logs()
