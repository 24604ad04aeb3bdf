"""GET /hotels?city=…: a city's cards as stored now, though the MongoDB store keeps them between
searches and checks them against the city's card revisions (`storage.CARD_REVISIONS`)."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from innkeeper_contracts.documents import CARD_REVISIONS, HOTEL_CARDS
from query.seed import MONGODB_ONLY, ReadModelSeed, Seed, hotel_card, stored

STAY = {"city": "Faro", "check_in": "2027-05-01", "check_out": "2027-05-03"}


async def names(client: httpx.AsyncClient, params: dict[str, Any]) -> list[str]:
    response = await client.get("/hotels", params=params)
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


async def test_a_hotel_booked_full_after_a_search_is_not_found_by_the_next(
    client: httpx.AsyncClient, seed: Seed
) -> None:
    sea, hill = hotel_card(city="Faro", name="sea"), hotel_card(city="Faro", name="hill", price_minor=20_000)
    await seed.put(sea, hill)
    assert await names(client, STAY) == ["sea", "hill"]
    await seed.put(sea.model_copy(update={"room_types": [full_on(sea, date(2027, 5, 2))]}))
    assert await names(client, STAY) == ["hill"]
    await seed.put(hotel_card(city="Faro", name="new", price_minor=15_000))
    assert await names(client, STAY) == ["new", "hill"]


@MONGODB_ONLY
async def test_cards_are_kept_while_their_revisions_stand(
    client: httpx.AsyncClient, seed: ReadModelSeed
) -> None:
    sea = hotel_card(city="Faro", name="sea")
    await seed.put(sea)
    assert await names(client, STAY) == ["sea"]
    # A card replaced behind its revisions' back (nothing writes so) is not read again: the kept cards answer.
    _, document = stored(sea.model_copy(update={"name": "renamed"}))
    await seed.collection(HOTEL_CARDS).replace_one({"_id": document["_id"]}, {**document, "_rev": 1})
    assert await names(client, STAY) == ["sea"]


@MONGODB_ONLY
async def test_cards_read_while_a_write_is_under_way_are_not_kept(
    client: httpx.AsyncClient, seed: ReadModelSeed
) -> None:
    sea = hotel_card(city="Faro", name="sea")
    await seed.put(sea)
    assert await names(client, STAY) == ["sea"]
    # The projector has raised the card's revision and not yet written the card.
    raised = {"$max": {f"hotels.{sea.hotel_id}": 2}}
    await seed.collection(CARD_REVISIONS).update_one({"_id": "Faro"}, raised)
    assert await names(client, STAY) == ["sea"]
    _, document = stored(sea.model_copy(update={"name": "renamed"}))
    await seed.collection(HOTEL_CARDS).replace_one({"_id": document["_id"]}, {**document, "_rev": 2})
    assert await names(client, STAY) == ["renamed"]


@MONGODB_ONLY
async def test_a_generation_without_card_revisions_is_searched_by_index(
    client: httpx.AsyncClient, seed: ReadModelSeed
) -> None:
    hill = hotel_card(city="Faro", name="hill", stars=5, price_minor=20_000)
    await seed.put(hotel_card(city="Faro", name="sea"), hill)
    await seed.collection(CARD_REVISIONS).delete_many({})
    assert await names(client, STAY) == ["sea", "hill"]
    assert await names(client, {**STAY, "min_stars": 4}) == ["hill"]


def full_on(card: Any, night: date) -> Any:
    """The card's one room type, sold out on `night`."""
    return card.room_types[0].model_copy(update={"full_nights": [night]})
