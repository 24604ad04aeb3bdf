"""Pure builders of MongoDB filters and keyset orders: what each list endpoint asks the read model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from innkeeper_contracts.stay import Stay

from .cursor import Position

HotelSort = Literal["price", "-price", "stars", "-stars"]


@dataclass(frozen=True)
class Order:
    """A keyset order: one sort field, then `_id` in the same direction, so every row has one place."""

    field: str
    descending: bool = False

    @property
    def direction(self) -> int:
        return -1 if self.descending else 1

    def sort(self) -> list[tuple[str, int]]:
        return [(self.field, self.direction), ("_id", self.direction)]

    def after(self, position: Position) -> dict[str, Any]:
        """Rows strictly after `position` in this order."""
        beyond = "$lt" if self.descending else "$gt"
        return {
            "$or": [
                {self.field: {beyond: position.key}},
                {self.field: position.key, "_id": {beyond: position.id}},
            ]
        }

    def position_of(self, document: dict[str, Any]) -> Position:
        return Position(key=document[self.field], id=str(document["_id"]))


HOTEL_ORDERS: dict[str, Order] = {
    "price": Order("price_from_minor"),
    "-price": Order("price_from_minor", descending=True),
    "stars": Order("stars"),
    "-stars": Order("stars", descending=True),
}
GUEST_BOOKINGS_ORDER = Order("check_in")
ALERTS_ORDER = Order("raised_at", descending=True)


@dataclass(frozen=True)
class HotelSearch:
    """The filters of a hotel search, already validated (dates in order, stay within bounds)."""

    city: str | None = None
    check_in: date | None = None
    check_out: date | None = None
    guests: int | None = None
    min_stars: int | None = None
    sort: HotelSort = "price"

    def fingerprint_fields(self) -> dict[str, Any]:
        return {
            "city": self.city,
            "check_in": self.check_in,
            "check_out": self.check_out,
            "guests": self.guests,
            "min_stars": self.min_stars,
            "sort": self.sort,
        }


def room_type_match(guests: int | None, nights: list[str]) -> dict[str, Any]:
    """`$elemMatch` body: one room type fits the party, exists, and is free on every night (a card's
    `full_nights` hold every night that can be booked: `innkeeper_contracts.documents.MAX_FULL_NIGHTS`)."""
    condition: dict[str, Any] = {"max_guests": {"$gte": guests or 1}, "capacity": {"$gt": 0}}
    if nights:
        condition["full_nights"] = {"$nin": nights}
    return condition


def hotel_filter(search: HotelSearch) -> dict[str, Any]:
    """The one MongoDB filter of a hotel search (without the page position)."""
    clauses: dict[str, Any] = {}
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


def with_position(base: dict[str, Any], order: Order, position: Position | None) -> dict[str, Any]:
    """`base` restricted to rows after `position` (the whole of `base` on the first page)."""
    if position is None:
        return base
    if not base:
        return order.after(position)
    return {"$and": [base, order.after(position)]}
