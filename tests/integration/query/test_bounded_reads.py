"""What a read may cost is bounded: waiting reads are capped, hopeless tokens answer at once, the body
cache holds a bounded number of bytes."""

from __future__ import annotations

import asyncio
from typing import cast

import httpx
from asgi_lifespan import LifespanManager
from testkit.auth import auth_settings
from testkit.waiting import wait_until

from innkeeper_contracts import ConsistencyToken
from query.seed import ClientFactory, Seed, booking, hotel_detail
from query_service.api.context import Runtime
from query_service.app import create_app
from query_service.read_model import ReadStore
from query_service.settings import Settings

READS = 2000
CAP = cast(int, Settings.model_fields["consistency_max_waiters"].default)


async def metric(client: httpx.AsyncClient, line: str) -> float:
    for row in (await client.get("/metrics")).text.splitlines():
        if row.startswith(line + " "):
            return float(row.split()[-1])
    return 0.0


async def test_at_most_the_cap_of_2000_token_reads_wait_the_rest_are_answered_stale_at_once(
    make_client: ClientFactory, seed: Seed
) -> None:
    # 2000 reads at once against the pure-Python store stand-in: on a loaded 2-core machine choosing a
    # server may take longer than the default bound; this test is about the cap, not that bound.
    client = await make_client(
        consistency_wait_seconds=30, consistency_max_waiters=CAP, mongodb_timeout_ms=20_000
    )
    stay = booking(version=1)
    await seed.put(stay)
    await seed.checkpoint(stay.booking_id, version=1, global_position=10)
    await seed.projector_status(0, 10)
    token = ConsistencyToken(aggregate_id=stay.booking_id, aggregate_version=2, global_position=11)
    headers = {"X-Consistency-Token": token.encode()}

    reads = [
        asyncio.create_task(client.get(f"/bookings/{stay.booking_id}", headers=headers)) for _ in range(READS)
    ]
    await wait_until(
        lambda: sum(r.done() for r in reads) == READS - CAP, seconds=60, what="the reads over the cap"
    )
    assert await metric(client, "innkeeper_query_consistency_waiting") == CAP  # the rest still wait
    answered = {r for r in reads if r.done()}
    over = [r.result() for r in answered]
    assert {
        (r.status_code, r.headers["x-consistency"], r.headers["x-consistency-waited-ms"]) for r in over
    } == {(200, "stale", "0")}
    assert {r.json()["status"] for r in over} == {"active"}

    await seed.put(stay.model_copy(update={"status": "cancelled", "version": 2}))
    await seed.checkpoint(stay.booking_id, version=2, global_position=11)
    await asyncio.wait_for(asyncio.gather(*reads), 60)
    waited = [r.result() for r in reads if r not in answered]
    caught_up = [r for r in waited if r.headers["x-consistency"] == "caught-up"]
    assert len(caught_up) == CAP
    assert {(r.status_code, r.json()["status"]) for r in caught_up} == {(200, "cancelled")}
    label = 'innkeeper_query_consistency_waits_total{outcome="%s"}'
    assert await metric(client, label % "capped") == READS - CAP
    assert await metric(client, label % "waited") == CAP
    assert await metric(client, "innkeeper_query_consistency_waiting") == 0


async def test_tokens_that_cannot_come_true_in_time_are_answered_stale_without_waiting(
    make_client: ClientFactory, seed: Seed
) -> None:
    client = await make_client(consistency_wait_seconds=30, consistency_max_positions_ahead=1000)
    stay = booking(version=3)
    await seed.put(stay)
    await seed.checkpoint(stay.booking_id, version=3, global_position=30)
    await seed.projector_status(0, 40)
    far_ahead = ConsistencyToken(aggregate_id=stay.booking_id, aggregate_version=4, global_position=1041)
    no_such_version = ConsistencyToken(
        aggregate_id=stay.booking_id, aggregate_version=9_999_999_999, global_position=30
    )
    for token, outcome in ((far_ahead, "ahead"), (no_such_version, "unreachable")):
        response = await client.get(
            f"/bookings/{stay.booking_id}", headers={"X-Consistency-Token": token.encode()}
        )
        assert response.status_code == 200
        assert response.headers["x-consistency"] == "stale"
        assert response.headers["cache-control"] == "no-store"
        # Settled by what the gate knew (the position; one look at the checkpoint), not by the bound:
        assert await metric(client, f'innkeeper_query_consistency_waits_total{{outcome="{outcome}"}}') == 1
    assert await metric(client, 'innkeeper_query_consistency_waits_total{outcome="timeout"}') == 0


async def test_the_body_cache_holds_at_most_its_bytes(
    mongodb_server: str, mongodb_database: str, store: ReadStore, seed: Seed
) -> None:
    details = [hotel_detail(rooms={f"R{n}": 1 for n in range(1 + index % 7)}) for index in range(60)]
    await seed.put(*details)
    database = {"mongodb_url": mongodb_server, "mongodb_database": mongodb_database}
    settings = Settings.model_validate({**database, **auth_settings(), "body_cache_bytes": 20_000})
    app = create_app(settings, store)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://q") as client,
    ):
        bodies = cast(Runtime, app.state.runtime).body_cache
        for detail in details * 2:
            response = await client.get(f"/hotels/{detail.hotel_id}")
            assert response.status_code == 200
            assert response.json()["hotel_id"] == str(detail.hotel_id)
            assert bodies.bytes <= 20_000
        assert 0 < len(bodies._bodies) < len(details)  # some kept, the least recently used let go
