"""The query service traced (a real process exporting to a real OTLP receiver): a read continues its
caller's trace, and what a consistency token cost it is a `consistency.wait` span of that read, with the
read model's MongoDB commands beside it in the same trace."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from testkit.auth import admin
from testkit.infra import free_port
from testkit.otlp import OtlpReceiver, ReceivedSpan
from testkit.services import ServiceProcess
from testkit.waiting import wait_until

from innkeeper_contracts import ConsistencyToken
from query.seed import MONGODB_ONLY, ReadModelSeed, booking, wait_until_waiting

pytestmark = MONGODB_ONLY  # a process on the MongoDB read model

CALLER_TRACE, CALLER_SPAN = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    with OtlpReceiver() as receiver:
        yield receiver


@pytest.fixture
def traced_query(service_env: dict[str, str], log_dir: Path, receiver: OtlpReceiver) -> Iterator[str]:
    env = {**service_env, **receiver.env(), "CONSISTENCY_WAIT_SECONDS": "15"}
    with ServiceProcess("query_service", env, free_port(), log_dir) as process:
        yield process.url


async def wait_spans(receiver: OtlpReceiver, trace_id: str, names: set[str]) -> list[ReceivedSpan]:
    await wait_until(lambda: names <= {s.name for s in receiver.trace(trace_id)}, what=f"spans {names}")
    return receiver.trace(trace_id)


async def test_a_waited_read_is_a_consistency_wait_span_of_its_request(
    traced_query: str, receiver: OtlpReceiver, seed: ReadModelSeed
) -> None:
    stay = booking(version=1)
    await seed.put(stay)
    token = ConsistencyToken(aggregate_id=stay.booking_id, aggregate_version=2, global_position=3)
    headers = {"X-Consistency-Token": token.encode(), "traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"}
    async with httpx.AsyncClient(headers=admin(), timeout=30) as http:
        read = asyncio.create_task(http.get(f"{traced_query}/bookings/{stay.booking_id}", headers=headers))
        await wait_until_waiting(http, traced_query)
        await seed.put(stay.model_copy(update={"version": 2}))
        await seed.checkpoint(stay.booking_id, version=2, global_position=3)
        assert (await read).headers["x-consistency"] == "caught-up"

    spans = await wait_spans(receiver, CALLER_TRACE, {"GET /bookings/{booking_id}", "consistency.wait"})
    (server,) = [s for s in spans if s.kind == "SERVER"]
    assert (server.service, server.parent_span_id) == ("query-service", CALLER_SPAN)
    (wait,) = [s for s in spans if s.name == "consistency.wait"]
    assert wait.parent_span_id == server.span_id
    assert wait.attributes["innkeeper.consistency.outcome"] == "waited"
    assert wait.attributes["innkeeper.consistency.aggregate_id"] == str(stay.booking_id)
    assert wait.attributes["innkeeper.consistency.aggregate_version"] == 2
    assert wait.attributes["innkeeper.consistency.waited_ms"] > 0
    # PyMongo's instrumentation sees the async client: the booking's reads are spans of the request.
    reads = [s for s in spans if s.kind == "CLIENT" and s.attributes.get("db.system") == "mongodb"]
    assert reads
    assert {s.parent_span_id for s in reads} == {server.span_id}


async def test_a_token_already_applied_is_an_immediate_wait(
    traced_query: str, receiver: OtlpReceiver, seed: ReadModelSeed
) -> None:
    stay = booking(version=2)
    await seed.put(stay)
    token = ConsistencyToken(aggregate_id=stay.booking_id, aggregate_version=2, global_position=3)
    headers = {"X-Consistency-Token": token.encode(), "traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"}
    async with httpx.AsyncClient(headers=admin(), timeout=30) as http:
        answer = await http.get(f"{traced_query}/bookings/{stay.booking_id}", headers=headers)
    assert answer.headers["x-consistency"] == "caught-up"
    spans = await wait_spans(receiver, CALLER_TRACE, {"consistency.wait"})
    (wait,) = [s for s in spans if s.name == "consistency.wait"]
    assert wait.attributes["innkeeper.consistency.outcome"] == "immediate"
