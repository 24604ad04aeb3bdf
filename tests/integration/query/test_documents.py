"""Detail endpoints, guest bookings, the alert feed, availability, the generation alias and ETags."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from uuid import uuid4

import httpx

from innkeeper_contracts.documents import (
    HOTEL_CARDS,
    HOTEL_DETAILS,
    INDEXES,
    BookingDetail,
    HotelDetail,
    ManagementAlert,
)
from query.seed import (
    MONGODB_ONLY,
    ClientFactory,
    ReadModelSeed,
    Seed,
    alert,
    booking,
    hotel_card,
    hotel_detail,
    hotel_night,
    now,
)


async def test_hotel_and_booking_details_are_the_stored_documents(
    client: httpx.AsyncClient, seed: Seed
) -> None:
    hotel, stay = hotel_detail(), booking(status="cancelled")
    await seed.put(hotel, stay)
    response = await client.get(f"/hotels/{hotel.hotel_id}")
    assert response.status_code == 200
    assert HotelDetail.model_validate(response.json()) == hotel
    response = await client.get(f"/bookings/{stay.booking_id}")
    assert BookingDetail.model_validate(response.json()) == stay
    assert response.headers["cache-control"] == "no-store"  # a guest's personal data: no copy anywhere


async def test_unknown_ids_are_404_problems(client: httpx.AsyncClient, seed: Seed) -> None:
    for path in (f"/hotels/{uuid4()}", f"/bookings/{uuid4()}", f"/hotels/{uuid4()}/availability"):
        response = await client.get(path, params={"from": "2027-01-01", "to": "2027-01-03"})
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "https://innkeeper.dev/problems/not-found"


async def test_guest_bookings_page_by_check_in(client: httpx.AsyncClient, seed: Seed) -> None:
    start = date(2027, 2, 1)
    mine = [booking(guest_id="ana", check_in=start + timedelta(days=n % 4)) for n in range(7)]
    await seed.put(*mine, booking(guest_id="bob"))
    ids, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = (await client.get("/guests/ana/bookings", params=params)).json()
        ids += [item["booking_id"] for item in body["items"]]
        if (cursor := body["next_cursor"]) is None:
            break
    assert ids == [str(b.booking_id) for b in sorted(mine, key=lambda b: (b.check_in, str(b.booking_id)))]
    empty = (await client.get("/guests/nobody/bookings")).json()
    assert empty == {"items": [], "next_cursor": None}


async def test_alert_feed_is_newest_first(client: httpx.AsyncClient, seed: Seed) -> None:
    alerts = [alert(now() + timedelta(minutes=n % 3)) for n in range(5)]
    await seed.put(*alerts)
    first = (await client.get("/management/alerts", params={"limit": 2})).json()
    rest = (await client.get("/management/alerts", params={"cursor": first["next_cursor"]})).json()
    got = [ManagementAlert.model_validate(a) for a in first["items"] + rest["items"]]
    assert got == sorted(alerts, key=lambda a: (a.raised_at, str(a.alert_id)), reverse=True)


async def test_availability_fills_nights_without_documents_from_the_detail(
    client: httpx.AsyncClient, seed: Seed
) -> None:
    hotel = hotel_detail(rooms={"DBL": 4, "SGL": 2})
    night = date(2027, 6, 2)
    await seed.put(hotel)
    await seed.put_night(hotel_night(hotel.hotel_id, night, {"DBL": (4, 3)}))
    await seed.put_night(hotel_night(hotel.hotel_id, date(2027, 6, 9), {"DBL": (4, 4)}))  # outside range
    params = {"check_in": "2027-06-01", "check_out": "2027-06-04"}
    body = (await client.get(f"/hotels/{hotel.hotel_id}/availability", params=params)).json()
    assert (body["check_in"], body["check_out"]) == ("2027-06-01", "2027-06-04")
    assert [n["night"] for n in body["nights"]] == ["2027-06-01", "2027-06-02", "2027-06-03"]
    free = {n["night"]: {r["room_type"]: r["free"] for r in n["room_types"]} for n in body["nights"]}
    assert free == {
        "2027-06-01": {"DBL": 4, "SGL": 2},
        "2027-06-02": {"DBL": 1, "SGL": 2},
        "2027-06-03": {"DBL": 4, "SGL": 2},
    }
    assert body["nights"][1]["booked"] == 3
    assert body["nights"][1]["capacity"] == 6


async def test_availability_still_takes_from_and_to_for_one_version_and_answers_the_old_names_too(
    client: httpx.AsyncClient, seed: Seed
) -> None:
    hotel = hotel_detail(rooms={"DBL": 4})
    await seed.put(hotel)
    path = f"/hotels/{hotel.hotel_id}/availability"
    old = (await client.get(path, params={"from": "2027-06-01", "to": "2027-06-03"})).json()
    new = (await client.get(path, params={"check_in": "2027-06-01", "check_out": "2027-06-03"})).json()
    same = await client.get(path, params={"check_in": "2027-06-01", "from": "2027-06-01", "to": "2027-06-03"})
    assert old == new == same.json()
    assert (new["check_in"], new["check_out"]) == (new["start"], new["end"]) == ("2027-06-01", "2027-06-03")
    refused = await client.get(path, params={"from": "2027-06-01"})
    assert refused.status_code == 422
    assert [error["loc"] for error in refused.json()["errors"]] == [["query", "check_out"]]


@MONGODB_ONLY
async def test_the_service_follows_the_generation_alias(
    client: httpx.AsyncClient, seed: ReadModelSeed
) -> None:
    old, new = hotel_card(name="old"), hotel_card(name="new")
    await seed.put(old)
    rebuilt = ReadModelSeed(seed.db, "g2")
    await rebuilt.put(new)
    assert [h["name"] for h in (await client.get("/hotels")).json()["items"]] == ["old"]
    await rebuilt.activate()
    assert [h["name"] for h in (await client.get("/hotels")).json()["items"]] == ["new"]


async def test_no_generation_yet_means_empty_lists_and_404(make_client: ClientFactory) -> None:
    client = await make_client()
    assert (await client.get("/hotels")).json() == {"items": [], "next_cursor": None}
    assert (await client.get(f"/hotels/{uuid4()}")).status_code == 404


async def test_etag_gives_304_until_the_document_changes(client: httpx.AsyncClient, seed: Seed) -> None:
    hotel = hotel_detail()
    await seed.put(hotel)
    first = await client.get(f"/hotels/{hotel.hotel_id}")
    assert first.headers["cache-control"].startswith("public, max-age=")
    etag = first.headers["etag"]
    again = await client.get(f"/hotels/{hotel.hotel_id}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    await seed.put(hotel.model_copy(update={"name": "Casa Nova", "version": 2}))
    changed = await client.get(f"/hotels/{hotel.hotel_id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.json()["name"] == "Casa Nova"


async def test_cors_is_configurable(make_client: ClientFactory, seed: Seed) -> None:
    client = await make_client(cors_origins="https://app.example")
    response = await client.get("/hotels", headers={"Origin": "https://app.example"})
    assert response.headers["access-control-allow-origin"] == "https://app.example"
    assert "X-Consistency" in response.headers["access-control-expose-headers"]
    closed = await make_client()
    response = await closed.get("/hotels", headers={"Origin": "https://app.example"})
    assert "access-control-allow-origin" not in response.headers


@MONGODB_ONLY
async def test_the_indexes_reads_need_are_ensured_on_the_active_generation(
    client: httpx.AsyncClient, seed: ReadModelSeed
) -> None:
    await seed.put(hotel_card())
    assert (await client.get("/hotels")).status_code == 200
    wanted = {tuple(keys) for keys in INDEXES[HOTEL_CARDS]}
    for _ in range(200):  # bounded: the service builds them in the background
        info = await seed.collection(HOTEL_CARDS).index_information()
        if wanted <= {tuple(index["key"]) for index in info.values()}:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError(f"indexes missing: {info}")


async def test_a_document_that_breaks_the_contract_is_a_500_problem_not_a_crash(
    client: httpx.AsyncClient, seed: Seed
) -> None:
    hotel_id = str(uuid4())
    await seed.put_document(HOTEL_DETAILS, {"_id": hotel_id, "hotel_id": hotel_id, "name": 5})
    response = await client.get(f"/hotels/{hotel_id}")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["correlation_id"] == response.headers["x-correlation-id"]
    assert (await client.get("/healthz")).status_code == 200
