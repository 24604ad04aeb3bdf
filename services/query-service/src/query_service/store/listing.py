"""A list question answered in Python over documents already read: filter, keyset order, one page.
The in-memory store answers every list so; the MongoDB store answers a city's hotel search so from the
cards it keeps (`mongo.city_cards`). Same results as `mongo.filters` asks of MongoDB."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from innkeeper_contracts.stay import Stay
from query_service.cursor import Position
from query_service.queries import HotelSearch, Order
from query_service.read_model import Page, StoredDocument


def page_of(
    documents: Iterable[StoredDocument],
    keep: Callable[[StoredDocument], bool],
    order: Order,
    after: Position | None,
    limit: int,
) -> Page:
    """The documents `keep` admits, in `order` (then `_id`), after `after`, up to `limit` of them."""

    def key(document: StoredDocument) -> tuple[Any, str]:
        return document[order.field], str(document["_id"])

    rows = sorted(filter(keep, documents), key=key, reverse=order.descending)
    if after is not None:
        mark = (after.key, after.id)
        rows = [row for row in rows if (key(row) < mark if order.descending else key(row) > mark)]
    return Page.of(rows[: limit + 1], order, limit)


def hotel_matcher(search: HotelSearch) -> Callable[[StoredDocument], bool]:
    """Whether a card matches the search: `filters.hotel_filter`, on one card."""
    nights: set[str] = set()
    if search.check_in is not None and search.check_out is not None:
        nights = set(Stay(search.check_in, search.check_out).iso_nights())
    guests = search.guests or 1

    def matches(card: StoredDocument) -> bool:
        if search.city is not None and card["city"] != search.city:
            return False
        if search.min_stars is not None and card["stars"] < search.min_stars:
            return False
        if not nights and search.guests is None:
            return True
        return any(
            room["max_guests"] >= guests and room["capacity"] > 0 and nights.isdisjoint(room["full_nights"])
            for room in card["room_types"]
        )

    return matches
