"""GET /hotels: filters, sort orders and cursor pagination over seeded hotel cards."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import httpx
import pytest

from innkeeper_contracts.documents import HotelCard
from query.seed import Seed, hotel_card

CITIES = ("Lisbon", "Porto")


async def seed_many(seed: Seed) -> list[HotelCard]:
    """26 hotels with many equal prices and stars, so ties must be broken by `_id`."""
    cards = [
        hotel_card(city=CITIES[n % 2], stars=1 + n % 5, price_minor=5_000 + 1_000 * (n % 4), name=f"H{n}")
        for n in range(26)
    ]
    await seed.put(*cards)
    return cards


async def page_through(client: httpx.AsyncClient, params: dict[str, Any], limit: int) -> list[str]:
    ids: list[str] = []
    cursor: str | None = None
    for _ in range(100):
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/hotels", params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= limit
        ids += [item["hotel_id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return ids
    raise AssertionError("pagination never ended")


def expected(cards: list[HotelCard], sort: str, keep: Any = lambda card: True) -> list[str]:
    field = {"price": "price_from_minor", "stars": "stars"}[sort.lstrip("-")]
    rows = [(getattr(c, field), str(c.hotel_id)) for c in cards if keep(c)]
    return [id_ for _, id_ in sorted(rows, reverse=sort.startswith("-"))]


@pytest.mark.parametrize(("sort", "limit"), [("price", 4), ("-price", 5), ("stars", 3), ("-stars", 100)])
async def test_paging_through_every_sort_is_complete_ordered_and_stable(
    client: httpx.AsyncClient, seed: Seed, sort: str, limit: int
) -> None:
    cards = await seed_many(seed)
    ids = await page_through(client, {"sort": sort}, limit)
    assert ids == expected(cards, sort)
    assert len(set(ids)) == len(cards)


async def test_city_and_min_stars_filter(client: httpx.AsyncClient, seed: Seed) -> None:
    cards = await seed_many(seed)
    ids = await page_through(client, {"city": "Porto", "min_stars": 3, "sort": "-price"}, 2)
    assert ids == expected(cards, "-price", lambda c: c.city == "Porto" and c.stars >= 3)
    assert ids


async def test_first_page_is_the_documents_as_stored(client: httpx.AsyncClient, seed: Seed) -> None:
    card = hotel_card(city="Faro", full_nights=(date(2027, 1, 2),))
    await seed.put(card)
    body = (await client.get("/hotels", params={"city": "Faro"})).json()
    assert [HotelCard.model_validate(item) for item in body["items"]] == [card]
    assert body["next_cursor"] is None


async def test_availability_filter_needs_one_room_type_that_fits_every_night(
    client: httpx.AsyncClient, seed: Seed
) -> None:
    free = hotel_card(city="Evora", max_guests=4, name="free")
    full_one_night = hotel_card(city="Evora", max_guests=4, full_nights=(date(2027, 5, 2),), name="full")
    full_elsewhere = hotel_card(city="Evora", max_guests=4, full_nights=(date(2027, 5, 9),), name="other")
    too_small = hotel_card(city="Evora", max_guests=2, name="small")
    no_rooms = hotel_card(city="Evora", max_guests=4, capacity=0, name="none")
    await seed.put(free, full_one_night, full_elsewhere, too_small, no_rooms)

    async def names(params: dict[str, Any]) -> set[str]:
        body = (await client.get("/hotels", params={"city": "Evora", **params})).json()
        return {item["name"] for item in body["items"]}

    stay = {"check_in": "2027-05-01", "check_out": "2027-05-04"}
    assert await names({**stay, "guests": 3}) == {"free", "other"}
    assert await names(stay) == {"free", "other", "small"}
    assert await names({"guests": 3}) == {"free", "full", "other"}
    assert await names({}) == {"free", "full", "other", "small", "none"}
    # check_out is exclusive: leaving on the full night's morning is fine.
    assert await names({"check_in": "2027-04-30", "check_out": "2027-05-02"}) >= {"full"}


async def test_cursor_of_another_query_is_refused(client: httpx.AsyncClient, seed: Seed) -> None:
    await seed_many(seed)
    first = (await client.get("/hotels", params={"sort": "price", "limit": 2})).json()
    for other in ({"sort": "stars"}, {"sort": "price", "city": "Porto"}):
        response = await client.get("/hotels", params={**other, "limit": 2, "cursor": first["next_cursor"]})
        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["query", "cursor"]


async def test_pages_stay_consistent_when_a_hotel_is_added_behind_the_cursor(
    client: httpx.AsyncClient, seed: Seed
) -> None:
    cards = [hotel_card(price_minor=p) for p in (1_000, 2_000, 3_000, 4_000)]
    await seed.put(*cards)
    first = (await client.get("/hotels", params={"limit": 2})).json()
    await seed.put(hotel_card(price_minor=500))  # sorts before the cursor: must not shift the next page
    second = (await client.get("/hotels", params={"limit": 2, "cursor": first["next_cursor"]})).json()
    seen = [item["price_from_minor"] for item in itertools.chain(first["items"], second["items"])]
    assert seen == [1_000, 2_000, 3_000, 4_000]
