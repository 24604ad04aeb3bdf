"""Read documents: one shape per screen, written by the projector and served by the query service
(stored where `storage` says)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from innkeeper_contracts.contract import TolerantContract
from innkeeper_contracts.events import AlertKind, RefundPolicy
from innkeeper_contracts.personal import ERASED, SHOWN
from innkeeper_contracts.stay import BOOKING_HORIZON_DAYS, MAX_NIGHTS
from innkeeper_contracts.values import Money

FULL_NIGHTS_DAYS_BEFORE = 1
FULL_NIGHTS_DAYS_AFTER = BOOKING_HORIZON_DAYS + MAX_NIGHTS
MAX_FULL_NIGHTS = FULL_NIGHTS_DAYS_BEFORE + 1 + FULL_NIGHTS_DAYS_AFTER
"""A card lists the sold-out nights of a room type from a day before to FULL_NIGHTS_DAYS_AFTER days after
the day of its hotel's latest booking, cancellation or capacity change (the event's `occurred_at`).

Why a window: a list of every sold-out night ever grows with each one, until enough long bookings push
the card past MongoDB's 16 MB; this one holds at most MAX_FULL_NIGHTS per room type (~16 KB), and still
every night a search can book (check-in at most BOOKING_HORIZON_DAYS ahead, at most MAX_NIGHTS nights;
the day before covers clocks and time zones). A search for nights already past may list a hotel that
was full then. Why not read `hotel_nights` at search time instead: the search with dates stays one
indexed query over the cards, paged by keyset; filtering pages after reading them could scan every
hotel of a city to fill one page. The window follows the events, not the clock, so a rebuild gives the
same cards."""


class RoomTypeCard(TolerantContract):
    """A room type as a search result shows it, with the nights it is sold out."""

    code: str
    name: str
    capacity: int
    max_guests: int
    nightly_rate: Money
    full_nights: list[date] = Field(
        max_length=MAX_FULL_NIGHTS,
        description=(
            "Nights on which every room of this type is booked, from the day before the hotel's latest"
            f" booking change to {FULL_NIGHTS_DAYS_AFTER} days after it (every night that can be booked)."
        ),
    )


class HotelCard(TolerantContract):
    """A hotel in search results: where, how good, from what price, which room types."""

    hotel_id: UUID
    name: str
    city: str
    stars: int
    price_from: Money
    price_from_minor: int = Field(description="price_from in minor units (cents), for sorting.")
    room_types: list[RoomTypeCard]
    last_booked_at: datetime | None = Field(
        default=None, description="When a guest last booked a stay here; null before the first booking."
    )
    version: int = Field(description="Version of the hotel aggregate this card reflects.")


class RoomTypeDetail(TolerantContract):
    """A room type on the hotel page."""

    code: str
    name: str
    capacity: int
    max_guests: int
    nightly_rate: Money


class HotelDetail(TolerantContract):
    """The hotel page."""

    hotel_id: UUID
    name: str
    city: str
    stars: int
    room_types: list[RoomTypeDetail]
    registered_at: datetime
    version: int


class RoomNight(TolerantContract):
    """One room type on one night."""

    room_type: str
    capacity: int
    booked: int
    free: int


class HotelNight(TolerantContract):
    """Availability and occupancy of one hotel on one night (stored only for nights with bookings)."""

    hotel_id: UUID
    night: date
    room_types: list[RoomNight]
    booked: int
    capacity: int


class BookingPageGuest(TolerantContract):
    """The guest on the booking page: their name and address in clear, or `[erased]` for both once their
    personal data is erased (hence plain text, not an address)."""

    guest_id: str
    name: Annotated[str, SHOWN] = Field(
        description=f"The guest's name; `{ERASED}` once their personal data is erased."
    )
    email: Annotated[str, SHOWN] = Field(
        description=f"The guest's e-mail address; `{ERASED}` once their personal data is erased."
    )
    erased: bool = Field(default=False, description="Whether the guest's personal data is erased.")


class BookingDetail(TolerantContract):
    """The booking page; also the rows of a guest's bookings."""

    booking_id: UUID
    hotel_id: UUID
    hotel_name: str
    city: str
    room_type: str
    guest: BookingPageGuest
    check_in: date
    check_out: date
    nights: int
    guests: int
    nightly_rate: Money
    total_price: Money
    status: Literal["active", "cancelled"]
    booked_at: datetime
    cancelled_at: datetime | None = None
    cancellation_reason: Annotated[str, SHOWN] | None = Field(
        default=None, description=f"The reason given; `{ERASED}` once the guest's personal data is erased."
    )
    refund_policy: RefundPolicy | None = None
    refund: Money | None = None
    version: int = Field(description="Version of the booking aggregate this document reflects.")


class ManagementAlert(TolerantContract):
    """An entry of the management alert feed."""

    alert_id: UUID
    hotel_id: UUID
    hotel_name: str
    booking_id: UUID
    kinds: list[AlertKind]
    message: str
    total_price: Money
    refund: Money
    raised_at: datetime
