"""The query service as real processes: two replicas on the same data answer identically."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from testkit.auth import admin
from testkit.infra import free_port
from testkit.services import ServiceProcess

from innkeeper_contracts import ConsistencyToken
from query.seed import (
    MONGODB_ONLY,
    ReadModelSeed,
    alert,
    booking,
    hotel_card,
    hotel_detail,
    hotel_night,
    now,
    wait_until_waiting,
)

pytestmark = MONGODB_ONLY  # replicas are processes on one MongoDB database

VOLATILE_HEADERS = {"x-correlation-id", "date", "server"}


@pytest.fixture
def replicas(service_env: dict[str, str], log_dir: Path) -> Iterator[list[ServiceProcess]]:
    env = {**service_env, "CONSISTENCY_WAIT_SECONDS": "15", "GENERATION_CACHE_SECONDS": "0"}
    with (
        ServiceProcess("query_service", env, free_port(), log_dir) as first,
        ServiceProcess("query_service", env, free_port(), log_dir) as second,
    ):
        yield [first, second]


async def test_two_replicas_answer_identically(replicas: list[ServiceProcess], seed: ReadModelSeed) -> None:
    hotel = hotel_detail()
    stay = booking(guest_id="ana")
    await seed.put(hotel, stay, *[hotel_card(city="Porto", price_minor=p) for p in (900, 700, 700, 800)])
    await seed.put(alert(now()), alert(now()))
    await seed.put_night(hotel_night(hotel.hotel_id, now().date(), {"DBL": (4, 1)}))
    await seed.projector_status(0, 5)
    paths = [
        "/hotels?city=Porto&limit=2",
        "/hotels?sort=-price&guests=2&check_in=2027-01-01&check_out=2027-01-03",
        f"/hotels/{hotel.hotel_id}",
        f"/hotels/{hotel.hotel_id}/availability?check_in={now().date()}&check_out=2026-12-03",
        f"/bookings/{stay.booking_id}",
        f"/bookings/{uuid4()}",
        "/guests/ana/bookings",
        "/management/alerts?limit=1",
        "/hotels?limit=0",
    ]
    async with httpx.AsyncClient(
        headers=admin(),
    ) as http:
        for path in paths:
            a, b = [await http.get(replica.url + path) for replica in replicas]
            assert a.status_code == b.status_code, path
            assert _without_correlation(a) == _without_correlation(b), path
            assert a.status_code != 200 or a.content == b.content, path
            assert _stable(a.headers) == _stable(b.headers), path
            assert a.status_code != 200 or a.headers["x-read-model-position"] == "5"
        # A cursor made by one replica pages on the other.
        first = (await http.get(replicas[0].url + "/hotels?city=Porto&limit=2")).json()
        rest = await http.get(replicas[1].url + f"/hotels?city=Porto&limit=2&cursor={first['next_cursor']}")
        prices = [h["price_from_minor"] for h in first["items"] + rest.json()["items"]]
        assert prices == [700, 700, 800, 900]


async def test_a_replica_waits_for_the_token_and_reports_ready(
    replicas: list[ServiceProcess], seed: ReadModelSeed
) -> None:
    stay = booking(version=1)
    await seed.put(stay)
    # version 2: the booking page at the token's version would answer at once, without a wait
    token = ConsistencyToken(aggregate_id=stay.booking_id, aggregate_version=2, global_position=3)
    async with httpx.AsyncClient(headers=admin(), timeout=30) as http:
        assert (await http.get(replicas[0].url + "/readyz")).json()["status"] == "ok"
        read = asyncio.create_task(
            http.get(
                f"{replicas[1].url}/bookings/{stay.booking_id}",
                headers={"X-Consistency-Token": token.encode()},
            )
        )
        await wait_until_waiting(http, replicas[1].url)
        assert not read.done()
        await seed.put(stay.model_copy(update={"version": 2}))
        await seed.checkpoint(stay.booking_id, version=2, global_position=3)
        response = await read
    assert response.status_code == 200
    assert response.headers["x-consistency"] == "caught-up"
    assert replicas[1].terminate() == 0


def _stable(headers: httpx.Headers) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k not in VOLATILE_HEADERS}


def _without_correlation(response: httpx.Response) -> object:
    """The body; problem answers name each request's own correlation id, which must differ."""
    body = response.json()
    if response.headers["content-type"] == "application/problem+json":
        assert body.pop("correlation_id") == response.headers["x-correlation-id"]
    return body
