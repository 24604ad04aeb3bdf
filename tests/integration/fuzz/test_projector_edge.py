"""The projector's HTTP edge, as a real process, is the command and query services': every refusal a
problem with the correlation id, 405 with `Allow`, bounded bodies, a catch-all 500 on a connection kept
open, and — with MongoDB gone — a `/status` that answers 503 with `Retry-After` instead of waiting for the
driver's 30 s server selection."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pymongo import AsyncMongoClient
from testkit.innkeeper import Innkeeper
from testkit.proxy import TcpProxy, through

from fuzz.edge_client import connection_of, http, raw_exchange, short_body
from innkeeper_contracts.documents import PROJECTOR_STATUS_COLLECTION


@pytest.fixture
async def mongodb_proxy(mongodb_server: str) -> AsyncIterator[TcpProxy]:
    """MongoDB for the projector only, cut when a test says so (the shared server stays up)."""
    proxy = TcpProxy.to(mongodb_server, 27017)
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.cut()


@pytest.fixture
async def system(
    service_env: dict[str, str], log_dir: Path, mongodb_proxy: TcpProxy
) -> AsyncIterator[Innkeeper]:
    """The command service (it migrates the event log the status reads) and one projector."""
    env = {
        **service_env,
        "MONGODB_URL": through(service_env["MONGODB_URL"], mongodb_proxy),
        "REQUEST_BODY_TIMEOUT_SECONDS": "1",
    }
    innkeeper = Innkeeper(env, log_dir)
    try:
        await innkeeper.start(projectors=1, queries=0)
        yield innkeeper
    finally:
        await innkeeper.close()


def assert_problem(answer: httpx.Response, status: int, kind: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert (problem["status"], problem["type"]) == (status, f"https://innkeeper.dev/problems/{kind}")
    assert problem["instance"] == answer.request.url.raw_path.decode().split("?")[0]
    assert problem["correlation_id"] == answer.headers["x-correlation-id"]


async def test_every_refusal_of_the_projector_is_a_problem(
    system: Innkeeper, mongodb_server: str, mongodb_database: str
) -> None:
    [projector] = system.projectors
    async with http(projector) as client:
        missing = await client.get("/nowhere", headers={"X-Correlation-Id": "projector-404"})
        other_method = await client.post("/status", json={})
        too_large = await client.request("GET", "/status", content=b" " * (64 * 1024 + 1))
        status = await client.get("/status")
    assert_problem(missing, 404, "not-found")
    assert missing.headers["x-correlation-id"] == "projector-404"
    assert_problem(other_method, 405, "method-not-allowed")
    assert other_method.headers["allow"] == "GET"
    assert_problem(too_large, 413, "too-large")
    assert status.status_code == 200, status.text

    code, headers, body = await raw_exchange(projector, short_body("GET", "/status", 1000, b"{"))
    assert (code, headers["content-type"], headers["connection"]) == (
        408,
        "application/problem+json",
        "close",
    )
    assert json.loads(body)["type"] == "https://innkeeper.dev/problems/request-timeout"

    # A status document no longer in the shape the projector wrote (an operator's mistake): a 500.
    client_of_mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongodb_server)
    try:
        await client_of_mongo[mongodb_database][PROJECTOR_STATUS_COLLECTION].insert_one(
            {"_id": "shard-99", "position": "not a position"}
        )
    finally:
        await client_of_mongo.close()
    async with http(projector) as client:
        broken = await client.get("/status")
        after = await client.get("/healthz")
        assert connection_of(after) == connection_of(broken)
    assert_problem(broken, 500, "internal")
    assert "position" not in broken.text
    assert after.status_code == 200
    assert "http.unexpected_error" in projector.logs()


async def test_with_mongodb_gone_the_status_answers_503_with_retry_after(
    system: Innkeeper, mongodb_proxy: TcpProxy
) -> None:
    [projector] = system.projectors
    await mongodb_proxy.cut()
    try:
        async with http(projector) as client:
            status = await client.get("/status")
            ready = await client.get("/readyz")
            metrics = await client.get("/metrics")
    finally:
        await mongodb_proxy.restore()  # the system's clean-up drops the test's database through it
    assert_problem(status, 503, "unavailable")
    assert status.headers["retry-after"] == "1"
    assert (ready.status_code, ready.headers["retry-after"]) == (503, "1")
    assert ready.json()["checks"]["mongodb"] is False
    assert metrics.status_code == 200  # without the lag it could not sample
