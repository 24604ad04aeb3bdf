"""What the screens ask of the read documents, in no store's language: a hotel search, the hotels whose
private documents a caller may read, and the keyset orders of the lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from .cursor import Position

HotelSort = Literal["price", "-price", "stars", "-stars"]


@dataclass(frozen=True)
class Order:
    """A keyset order: one sort field, then `_id` in the same direction, so every row has one place."""

    field: str
    descending: bool = False

    def position_of(self, document: dict[str, Any]) -> Position:
        """Where a page that ends with `document` ends."""
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

    @property
    def order(self) -> Order:
        return HOTEL_ORDERS[self.sort]

    def fingerprint_fields(self) -> dict[str, Any]:
        return {
            "city": self.city,
            "check_in": self.check_in,
            "check_out": self.check_out,
            "guests": self.guests,
            "min_stars": self.min_stars,
            "sort": self.sort,
        }


@dataclass(frozen=True)
class HotelScope:
    """The hotels whose bookings and alerts a caller may read: every hotel (`ids` None), or those."""

    ids: tuple[str, ...] | None = None

    def admits(self, hotel_id: object) -> bool:
        return self.ids is None or hotel_id in self.ids

    def fingerprint_fields(self) -> dict[str, Any]:
        # The form cursors were bound to before the scope had a type: cursors handed out then stay valid.
        return {} if self.ids is None else {"hotel_id": {"$in": list(self.ids)}}
