"""A token read of the page its own aggregate is projected to (booking, hotel) waits for that page's
version, not for the checkpoint written after the rest of the batch; every other read waits for the
checkpoint."""

from __future__ import annotations

import asyncio

from innkeeper_contracts import ConsistencyToken
from query.seed import ClientFactory, Seed, booking, hotel_detail, wait_until_waiting


def header(token: ConsistencyToken) -> dict[str, str]:
    return {"X-Consistency-Token": token.encode()}


async def test_a_booking_page_at_the_token_version_answers_without_a_checkpoint(
    make_client: ClientFactory, seed: Seed
) -> None:
    client = await make_client(consistency_wait_seconds=15, generation_cache_seconds=0)
    stay = booking(version=2)
    await seed.put(stay)  # no checkpoint of the booking at all
    await seed.projector_status(0, 5)
    token = ConsistencyToken(aggregate_id=stay.booking_id, aggregate_version=2, global_position=8)
    response = await client.get(f"/bookings/{stay.booking_id}", headers=header(token))
    assert response.status_code == 200
    assert response.headers["x-consistency"] == "caught-up"
    assert response.headers["x-read-model-position"] == "8"  # the answer shows the token's write
    metrics = (await client.get("/metrics")).text
    assert 'innkeeper_query_consistency_waits_total{outcome="immediate"} 1.0' in metrics


async def test_a_booking_page_behind_the_token_waits_for_the_page_not_the_checkpoint(
    make_client: ClientFactory, seed: Seed
) -> None:
    client = await make_client(consistency_wait_seconds=15, generation_cache_seconds=0)
    stay = booking(version=1)
    await seed.put(stay)
    await seed.checkpoint(stay.booking_id, version=1, global_position=10)
    token = ConsistencyToken(aggregate_id=stay.booking_id, aggregate_version=2, global_position=11)
    read = asyncio.create_task(client.get(f"/bookings/{stay.booking_id}", headers=header(token)))
    await wait_until_waiting(client)
    assert not read.done()
    await seed.put(stay.model_copy(update={"status": "cancelled", "version": 2}))  # checkpoint still 1
    response = await read
    assert response.json()["status"] == "cancelled"
    assert response.headers["x-consistency"] == "caught-up"


async def test_a_hotel_page_waits_for_its_own_version_and_is_stale_at_the_bound(
    make_client: ClientFactory, seed: Seed
) -> None:
    client = await make_client(consistency_wait_seconds=15, generation_cache_seconds=0)
    hotel = hotel_detail()
    await seed.put(hotel)
    token = ConsistencyToken(aggregate_id=hotel.hotel_id, aggregate_version=2, global_position=3)
    read = asyncio.create_task(client.get(f"/hotels/{hotel.hotel_id}", headers=header(token)))
    await wait_until_waiting(client)
    await seed.put(hotel.model_copy(update={"stars": 5, "version": 2}))
    response = await read
    assert (response.headers["x-consistency"], response.json()["stars"]) == ("caught-up", 5)

    impatient = await make_client(consistency_wait_seconds=0.2, generation_cache_seconds=0)
    later = ConsistencyToken(aggregate_id=hotel.hotel_id, aggregate_version=3, global_position=4)
    response = await impatient.get(f"/hotels/{hotel.hotel_id}", headers=header(later))
    assert (response.headers["x-consistency"], response.json()["version"]) == ("stale", 2)


async def test_a_token_of_another_aggregate_waits_for_its_checkpoint(
    make_client: ClientFactory, seed: Seed
) -> None:
    client = await make_client(consistency_wait_seconds=0.2, generation_cache_seconds=0)
    stay = booking(version=4)
    await seed.put(stay)
    # the hotel's token, read on the booking page: the page's version says nothing of the hotel
    token = ConsistencyToken(aggregate_id=stay.hotel_id, aggregate_version=1, global_position=2)
    response = await client.get(f"/bookings/{stay.booking_id}", headers=header(token))
    assert response.headers["x-consistency"] == "stale"
    await seed.checkpoint(stay.hotel_id, version=1, global_position=2)
    response = await client.get(f"/bookings/{stay.booking_id}", headers=header(token))
    assert response.headers["x-consistency"] == "caught-up"
