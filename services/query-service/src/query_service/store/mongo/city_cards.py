"""Every hotel card of a city, kept in memory between searches and checked on each against the city's
card revisions (`storage.CARD_REVISIONS`): one small read by `_id` instead of a query over the cards.

Why it is never stale: the projector raises a card's entry in its city's revisions before it writes the
card, so cards found at exactly the revisions listed stay as they are until the list changes. Cards
read while a write is under way (some revision differs) answer that search and are not kept.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from innkeeper_contracts.documents.storage import REVISION

Document = dict[str, Any]
MAX_CITY_HOTELS = 500
"""A city with more hotels is searched by the indexed query: fetching all its cards whenever one
changes would cost more than the page the index finds."""
MAX_KEPT_CARDS = 5_000
"""Cards kept in all, least recently searched city out first (a card with a year of sold-out nights
takes ~20 KB in memory: ~100 MB at most)."""


class CityCards:
    """The cards of recently searched cities, per collection (so per read-model generation)."""

    def __init__(self, max_cards: int = MAX_KEPT_CARDS) -> None:
        self.max_cards, self.count = max_cards, 0
        self._kept: OrderedDict[tuple[str, str], tuple[dict[str, int], list[Document]]] = OrderedDict()

    async def cards(
        self, cards: AsyncCollection[Document], revisions: AsyncCollection[Document], city: str
    ) -> list[Document] | None:
        """Every card of `city` as stored now, or None when the city is to be searched by index (its
        revisions are not recorded: a generation built before them; or it has too many hotels)."""
        listed = await revisions.find_one({"_id": city})
        hotels: dict[str, int] | None = listed.get("hotels") if listed is not None else None
        if not hotels or len(hotels) > MAX_CITY_HOTELS:
            return None
        key = (cards.name, city)
        kept = self._kept.get(key)
        if kept is not None and kept[0] == hotels:
            self._kept.move_to_end(key)
            return kept[1]
        found = await cards.find({"city": city}).to_list()
        if {card["_id"]: card.get(REVISION) for card in found} == hotels:
            self._keep(key, hotels, found)
        return found

    def _keep(self, key: tuple[str, str], hotels: dict[str, int], found: list[Document]) -> None:
        previous = self._kept.pop(key, None)
        self.count -= len(previous[1]) if previous is not None else 0
        if len(found) > self.max_cards:
            return
        self._kept[key] = (hotels, found)
        self.count += len(found)
        while self.count > self.max_cards:
            _, (_, dropped) = self._kept.popitem(last=False)
            self.count -= len(dropped)
