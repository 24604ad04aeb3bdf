"""The edge under a real HTTP server (uvicorn, in this process, on a free port) and a raw socket: a body
that does not arrive in time is a 408 problem on a closed connection, never a connection held open; and
uvicorn is told the concurrency bound the settings name."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request

from innkeeper_kit.body_limit import BodyLimitMiddleware
from innkeeper_kit.settings import ServiceSettings

READ_SECONDS = 0.5
GUARD_SECONDS = 30
"""How long the client waits for an answer and the close before the test fails (not a timing under
test: without the read bound the server would never answer)."""


def body_app() -> FastAPI:
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(BodyLimitMiddleware, max_bytes=1024, read_seconds=READ_SECONDS)
    return app


@asynccontextmanager
async def serving(app: FastAPI, **config: Any) -> AsyncIterator[int]:
    """uvicorn serving `app` on a free port of 127.0.0.1 (yields the port) until the block ends."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_config=None, **config))
    task = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        while not server.started:  # noqa: ASYNC110 - uvicorn's Server has a flag, not an event
            await asyncio.sleep(0.01)
        yield listener.getsockname()[1]
    finally:
        server.should_exit = True
        await task
        listener.close()


async def exchange(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send `request` as is, then read until the server closes: status, headers, body."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), GUARD_SECONDS)  # to the server's close
    finally:
        writer.close()
    return parse(answer)


def parse(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, body


def post(declared: int, sent: bytes, path: str = "/echo") -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: edge\r\nContent-Type: application/json\r\n"
    return f"{head}Content-Length: {declared}\r\n\r\n".encode() + sent


async def test_a_body_shorter_than_its_length_is_a_408_problem_on_a_closed_connection() -> None:
    async with serving(body_app()) as port:
        status, headers, body = await exchange(port, post(1000, b'{"name": "short"'))
    assert status == 408
    assert headers["content-type"] == "application/problem+json"
    assert headers["connection"] == "close"
    problem = json.loads(body)
    assert (problem["status"], problem["type"]) == (408, "https://innkeeper.dev/problems/request-timeout")
    assert f"{READ_SECONDS:g} seconds" in problem["detail"]


async def test_a_chunked_body_that_stops_coming_is_a_408_problem() -> None:
    head = b"POST /echo HTTP/1.1\r\nHost: edge\r\nTransfer-Encoding: chunked\r\n\r\n"
    async with serving(body_app()) as port:
        status, _, body = await exchange(port, head + b"5\r\nhello\r\n")
    assert (status, json.loads(body)["type"]) == (408, "https://innkeeper.dev/problems/request-timeout")


async def test_a_request_with_nothing_to_wait_for_is_answered_whole() -> None:
    async with serving(body_app()) as port:
        complete = await exchange(port, post(5, b"hello").replace(b"HTTP/1.1", b"HTTP/1.0"))
        bodiless = await exchange(port, b"GET /healthz HTTP/1.0\r\nHost: edge\r\n\r\n")
    assert (complete[0], json.loads(complete[2])) == (200, {"received": 5})
    assert (bodiless[0], json.loads(bodiless[2])) == (200, {"status": "ok"})


async def test_a_declared_length_over_the_limit_is_refused_before_any_wait() -> None:
    async with serving(body_app()) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(post(10_000, b""))  # nothing of the body is sent
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), GUARD_SECONDS)
        writer.close()
    assert head.startswith(b"HTTP/1.1 413 ")


async def test_past_the_concurrency_bound_uvicorn_answers_503_in_plain_text() -> None:
    """What the services' documents and README say of `HTTP_MAX_CONCURRENCY`: uvicorn's own answer."""
    bounds = ServiceSettings(http_max_concurrency=2).http_server_bounds
    async with serving(body_app(), **bounds) as port:
        reader, idle = await asyncio.open_connection("127.0.0.1", port)
        try:  # one connection answered and kept open: the server counts it
            idle.write(b"GET /healthz HTTP/1.1\r\nHost: edge\r\n\r\n")
            kept = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), GUARD_SECONDS)
            status, headers, body = await exchange(port, b"GET /healthz HTTP/1.1\r\nHost: edge\r\n\r\n")
        finally:
            idle.close()
    assert kept.startswith(b"HTTP/1.1 200 ")
    assert (status, body) == (503, b"Service Unavailable")
    assert headers["content-type"] == "text/plain; charset=utf-8"
    assert headers["connection"] == "close"
    assert "retry-after" not in headers
