"""The HTTP edge on a small app: the body limit, the catch-all 500, 405 with `Allow`."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import structlog
from fastapi import FastAPI, Request
from fastapi.responses import Response, StreamingResponse
from starlette.exceptions import HTTPException

from innkeeper_kit.body_limit import BodyLimitMiddleware
from innkeeper_kit.logging import configure_logging
from innkeeper_kit.methods import method_not_allowed
from innkeeper_kit.unexpected import UnexpectedErrorMiddleware

LIMIT = 1024


def edge_app() -> FastAPI:
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    @app.get("/echo")
    async def echo_get() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("the secret internals")

    @app.get("/half")
    async def half() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"started"
            raise RuntimeError("after the answer began")

        return StreamingResponse(chunks())

    async def on_http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        assert error.status_code == 405, "the only HTTP error these routes give"
        return method_not_allowed(request)

    app.add_exception_handler(HTTPException, on_http_error)
    app.add_middleware(BodyLimitMiddleware, max_bytes=LIMIT)
    app.add_middleware(UnexpectedErrorMiddleware)
    return app


@pytest.fixture
def stderr(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """JSON log lines written as text (a StringIO has no binary buffer), the set-up undone after."""
    captured, root = io.StringIO(), logging.getLogger()
    saved = root.handlers[:], root.level
    monkeypatch.setattr("sys.stderr", captured)
    configure_logging("test-service", "INFO", "json")
    yield captured
    structlog.reset_defaults()
    root.handlers[:], root.level = saved


def client(app: FastAPI | None = None) -> httpx.AsyncClient:
    # raise_app_exceptions: an error that escaped the edge would fail the test, not become an answer.
    transport = httpx.ASGITransport(app=app or edge_app(), raise_app_exceptions=True)
    return httpx.AsyncClient(transport=transport, base_url="http://edge")


async def test_bodies_up_to_the_limit_reach_the_route_whole() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(4):
            yield b"z" * (LIMIT // 4)

    async with client() as http:
        answer = await http.post("/echo", content=b"x" * LIMIT)
        chunked = await http.post("/echo", content=chunks())
    assert answer.json() == {"received": LIMIT}
    assert chunked.json() == {"received": LIMIT}


async def test_a_declared_length_over_the_limit_is_a_413_problem() -> None:
    async with client() as http:
        answer = await http.post("/echo", content=b"x" * (LIMIT + 1))
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"
    assert (answer.json()["type"], answer.json()["status"]) == (
        "https://innkeeper.dev/problems/too-large",
        413,
    )
    assert str(LIMIT) in answer.json()["detail"]


async def test_a_chunked_body_over_the_limit_is_refused_while_it_is_read() -> None:
    sent: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            sent.append(1)
            yield b"y" * 300

    async with client() as http:
        answer = await http.post("/echo", content=chunks())
    assert "content-length" not in answer.request.headers
    assert answer.status_code == 413
    assert answer.json()["type"] == "https://innkeeper.dev/problems/too-large"
    assert len(sent) == 4, "reading stopped at the first chunk over the limit"


async def test_an_unexpected_error_is_a_500_problem_without_internals(stderr: io.StringIO) -> None:
    structlog.contextvars.bind_contextvars(correlation_id="corr-500")
    try:
        async with client() as http:
            answer = await http.get("/boom")
    finally:
        structlog.contextvars.clear_contextvars()
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert (problem["type"], problem["correlation_id"]) == (
        "https://innkeeper.dev/problems/internal",
        "corr-500",
    )
    assert "secret" not in answer.text
    assert "RuntimeError" not in answer.text
    [line] = [json.loads(text) for text in stderr.getvalue().splitlines() if "unexpected" in text]
    assert (line["event"], line["route"], line["correlation_id"]) == (
        "http.unexpected_error",
        "/boom",
        "corr-500",
    )
    assert line["exception"].startswith("Traceback (most recent call last):")
    assert "RuntimeError: the secret internals" in line["exception"]
    assert "<traceback object" not in stderr.getvalue()


async def test_an_error_after_the_answer_began_still_ends_the_connection() -> None:
    async with client() as http:
        with pytest.raises(RuntimeError, match="after the answer began"):
            await http.get("/half")


async def test_a_method_the_path_does_not_have_is_a_405_with_every_allowed_method() -> None:
    async with client() as http:
        answer = await http.delete("/echo")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, POST"  # gathered from both routes of the path
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == "https://innkeeper.dev/problems/method-not-allowed"
