"""The cards of a city kept between searches: read again only when the city's revisions change, kept
only when read at exactly those revisions, bounded in cards."""

from __future__ import annotations

from typing import Any, cast

from query_service.store.mongo.city_cards import MAX_CITY_HOTELS, CityCards

Document = dict[str, Any]


class Found:
    def __init__(self, rows: list[Document]) -> None:
        self.rows = rows

    async def to_list(self) -> list[Document]:
        return self.rows


class Collection:
    """The two reads `CityCards` makes, on documents in a dict; counts the card queries."""

    def __init__(self, name: str, documents: list[Document]) -> None:
        self.name, self.documents, self.queries = name, documents, 0

    async def find_one(self, query: Document) -> Document | None:
        return next((d for d in self.documents if d["_id"] == query["_id"]), None)

    def find(self, query: Document) -> Found:
        self.queries += 1
        return Found([d for d in self.documents if d["city"] == query["city"]])


def city(*revisions: int) -> tuple[Collection, Collection]:
    cards = [{"_id": f"h{n}", "city": "Faro", "_rev": rev} for n, rev in enumerate(revisions)]
    listed = {"_id": "Faro", "hotels": {card["_id"]: card["_rev"] for card in cards}}
    return Collection("hotel_cards_g1", cards), Collection("hotel_card_revisions_g1", [listed])


async def cards_of(kept: CityCards, cards: Collection, revisions: Collection) -> list[Document] | None:
    return await kept.cards(cast(Any, cards), cast(Any, revisions), "Faro")


async def test_cards_are_read_again_only_when_the_city_revisions_change() -> None:
    kept, (cards, revisions) = CityCards(), city(1, 3)
    assert await cards_of(kept, cards, revisions) == cards.documents
    assert await cards_of(kept, cards, revisions) == cards.documents
    assert cards.queries == 1
    cards.documents[0] = {**cards.documents[0], "_rev": 2, "name": "new"}
    revisions.documents[0]["hotels"] = {"h0": 2, "h1": 3}
    assert await cards_of(kept, cards, revisions) == cards.documents
    assert cards.queries == 2


async def test_cards_read_at_other_revisions_than_listed_are_not_kept() -> None:
    kept, (cards, revisions) = CityCards(), city(1, 1)
    revisions.documents[0]["hotels"]["h0"] = 2  # raised; the card is not written yet
    assert await cards_of(kept, cards, revisions) == cards.documents
    assert await cards_of(kept, cards, revisions) == cards.documents
    assert (cards.queries, kept.count) == (2, 0)


async def test_a_city_without_revisions_or_with_too_many_hotels_is_left_to_the_index() -> None:
    kept, (cards, revisions) = CityCards(), city(*[1] * (MAX_CITY_HOTELS + 1))
    assert await cards_of(kept, cards, revisions) is None
    revisions.documents.clear()
    assert await cards_of(kept, cards, revisions) is None
    assert cards.queries == 0


async def test_the_least_recently_searched_city_goes_first_beyond_the_bound() -> None:
    kept = CityCards(max_cards=3)
    first, second = city(1, 1), city(1)
    second[0].name = "hotel_cards_g2"  # another generation: another entry
    await cards_of(kept, *first)
    await cards_of(kept, *second)
    assert kept.count == 3
    await cards_of(kept, *city(1, 1, 1))  # same collection name and city as `first`: replaces it
    assert kept.count == 3
    await cards_of(kept, *second)
    assert second[0].queries == 2  # pushed out by the three-card city
