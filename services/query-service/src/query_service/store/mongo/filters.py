"""Pure builders of MongoDB filters and sorts: what each screen's question is in MongoDB's words."""

from __future__ import annotations

from typing import Any

from innkeeper_contracts.stay import Stay
from query_service.cursor import Position
from query_service.queries import HotelScope, HotelSearch, Order

Filter = dict[str, Any]


def sort(order: Order) -> list[tuple[str, int]]:
    """The sort of a keyset order: its field, then `_id`, in one direction."""
    direction = -1 if order.descending else 1
    return [(order.field, direction), ("_id", direction)]


def after(order: Order, position: Position) -> Filter:
    """Rows strictly after `position` in `order`."""
    beyond = "$lt" if order.descending else "$gt"
    return {
        "$or": [
            {order.field: {beyond: position.key}},
            {order.field: position.key, "_id": {beyond: position.id}},
        ]
    }


def room_type_match(guests: int | None, nights: list[str]) -> Filter:
    """`$elemMatch` body: one room type fits the party, exists, and is free on every night (a card's
    `full_nights` hold every night that can be booked: `innkeeper_contracts.documents.MAX_FULL_NIGHTS`)."""
    condition: Filter = {"max_guests": {"$gte": guests or 1}, "capacity": {"$gt": 0}}
    if nights:
        condition["full_nights"] = {"$nin": nights}
    return condition


def hotel_filter(search: HotelSearch) -> Filter:
    """The one MongoDB filter of a hotel search (without the page position)."""
    clauses: Filter = {}
    if search.city is not None:
        clauses["city"] = search.city
    if search.min_stars is not None:
        clauses["stars"] = {"$gte": search.min_stars}
    nights: list[str] = []
    if search.check_in is not None and search.check_out is not None:
        nights = Stay(search.check_in, search.check_out).iso_nights()
    if nights or search.guests is not None:
        clauses["room_types"] = {"$elemMatch": room_type_match(search.guests, nights)}
    return clauses


def in_scope(hotels: HotelScope) -> Filter:
    """Documents of the hotels of `hotels` (no condition for every hotel)."""
    return {} if hotels.ids is None else {"hotel_id": {"$in": list(hotels.ids)}}


def with_position(base: Filter, order: Order, position: Position | None) -> Filter:
    """`base` restricted to rows after `position` (the whole of `base` on the first page)."""
    if position is None:
        return base
    if not base:
        return after(order, position)
    return {"$and": [base, after(order, position)]}
