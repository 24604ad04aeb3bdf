"""X-Consistency-Token: wait for the projector's checkpoint; freshness headers on every answer."""

from __future__ import annotations

import asyncio

import httpx

from innkeeper_contracts import ConsistencyToken
from query.seed import ClientFactory, Seed, booking, wait_until_waiting


async def test_read_waits_for_the_checkpoint_then_answers_the_new_state(
    make_client: ClientFactory, seed: Seed
) -> None:
    client = await make_client(consistency_wait_seconds=15, generation_cache_seconds=0)
    stay = booking(version=1)
    await seed.put(stay)
    await seed.checkpoint(stay.booking_id, version=1, global_position=10)
    await seed.projector_status(0, 10)
    token = ConsistencyToken(aggregate_id=stay.booking_id, aggregate_version=2, global_position=11)

    read = asyncio.create_task(
        client.get(f"/bookings/{stay.booking_id}", headers={"X-Consistency-Token": token.encode()})
    )
    await wait_until_waiting(client)
    assert not read.done()
    cancelled = stay.model_copy(update={"status": "cancelled", "version": 2})
    await seed.put(cancelled)  # the projector writes documents first, then the checkpoint
    await seed.checkpoint(stay.booking_id, version=2, global_position=11)
    response = await read

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.headers["x-consistency"] == "caught-up"
    assert int(response.headers["x-read-model-position"]) >= 11
    assert int(response.headers["x-consistency-waited-ms"]) >= 0
    metrics = (await client.get("/metrics")).text
    assert 'innkeeper_query_consistency_waits_total{outcome="waited"} 1.0' in metrics
    assert "innkeeper_query_consistency_waiting 0.0" in metrics


async def test_token_already_reached_answers_at_once(client: httpx.AsyncClient, seed: Seed) -> None:
    stay = booking(version=3)
    await seed.put(stay)
    await seed.checkpoint(stay.booking_id, version=3, global_position=30)
    token = ConsistencyToken(aggregate_id=stay.booking_id, aggregate_version=2, global_position=20)
    response = await client.get(
        f"/bookings/{stay.booking_id}", headers={"X-Consistency-Token": token.encode()}
    )
    assert response.headers["x-consistency"] == "caught-up"
    metrics = (await client.get("/metrics")).text
    assert 'innkeeper_query_consistency_waits_total{outcome="immediate"} 1.0' in metrics


async def test_after_the_bound_the_answer_says_it_is_stale(make_client: ClientFactory, seed: Seed) -> None:
    client = await make_client(consistency_wait_seconds=0.2)
    stay = booking()
    await seed.put(stay)
    await seed.projector_status(0, 7)
    token = ConsistencyToken(aggregate_id=stay.booking_id, aggregate_version=5, global_position=99)
    response = await client.get(
        f"/bookings/{stay.booking_id}", headers={"X-Consistency-Token": token.encode()}
    )
    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert response.headers["x-consistency"] == "stale"
    assert response.headers["x-read-model-position"] == "7"
    assert response.headers["cache-control"] == "no-store"
    metrics = (await client.get("/metrics")).text
    assert "innkeeper_query_stale_answers_total 1.0" in metrics
    assert 'innkeeper_query_consistency_waits_total{outcome="timeout"} 1.0' in metrics


async def test_without_token_the_position_is_the_highest_shard_position(
    client: httpx.AsyncClient, seed: Seed
) -> None:
    for shard, position in ((0, 41), (1, 57), (2, 12)):
        await seed.projector_status(shard, position)
    for path in ("/hotels", "/management/alerts", "/guests/ana/bookings"):
        response = await client.get(path)
        assert response.headers["x-consistency"] == "eventual"
        assert response.headers["x-read-model-position"] == "57"
    await seed.projector_status(1, 60)
    assert (await client.get("/hotels")).headers["x-read-model-position"] == "60"


async def test_request_latency_is_measured_by_route(client: httpx.AsyncClient, seed: Seed) -> None:
    stay = booking()
    await seed.put(stay)
    await client.get(f"/bookings/{stay.booking_id}")
    metrics = (await client.get("/metrics")).text
    expected = (
        'innkeeper_query_request_seconds_count{method="GET",route="/bookings/{booking_id}",status="200"}'
    )
    assert f"{expected} 1.0" in metrics
