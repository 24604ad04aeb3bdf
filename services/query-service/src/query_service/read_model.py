"""The port of the read side: what the API asks of the read documents, named for what each screen asks,
in stored documents, contract models and plain values. `store.mongo` implements it for the service,
`store.memory` for tests; the composition root picks one (a `ReadStore`)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, NamedTuple, Protocol
from uuid import UUID

from innkeeper_contracts.documents import HotelNight

from .cursor import Position
from .queries import HotelScope, HotelSearch, Order
from .settings import Settings

OwnDocument = Literal["booking", "hotel"]
"""The pages that carry their own aggregate's version: the booking page, the hotel page."""
StoredDocument = dict[str, Any]
"""A read document as the projector stores it: its contract model's JSON (`model_dump(mode="json")`) plus
storage-only `_` keys. Rendering checks it against its contract, once per distinct content."""


class Page(NamedTuple):
    """Up to a page of documents in their list's order, and where the next page starts after."""

    documents: list[StoredDocument]
    next: Position | None
    """None on the last page."""

    @classmethod
    def of(cls, rows: list[StoredDocument], order: Order, limit: int) -> Page:
        """The page of up to `limit + 1` rows: a row beyond `limit` only says that more follow."""
        if len(rows) <= limit:
            return cls(rows, None)
        kept = rows[:limit]
        return cls(kept, order.position_of(kept[-1]))


class ReadModel(Protocol):
    """The read documents of the active read model, and how far the projector has applied events."""

    async def hotel_detail(self, hotel_id: UUID) -> StoredDocument | None:
        """The hotel page's document (`HotelDetail`), or None when there is no such hotel."""

    async def search_hotels(self, search: HotelSearch, after: Position | None, limit: int) -> Page:
        """The hotel cards (`HotelCard`) that match `search`, in its order, after `after`."""

    async def nights(self, hotel_id: UUID, check_in: date, check_out: date) -> list[HotelNight]:
        """The hotel's stored nights in [check_in, check_out), by date (a night nobody booked has none)."""

    async def booking(self, booking_id: UUID) -> StoredDocument | None:
        """The booking's document (`BookingDetail`), or None when there is no such booking."""

    async def guest_bookings(
        self, guest_id: str, hotels: HotelScope, after: Position | None, limit: int
    ) -> Page:
        """The guest's bookings at the hotels of `hotels`, by check-in date, after `after`."""

    async def alerts(self, hotels: HotelScope, after: Position | None, limit: int) -> Page:
        """The management alerts (`ManagementAlert`) of the hotels of `hotels`, newest first."""

    async def checkpoints(self, aggregate_ids: Collection[UUID]) -> dict[UUID, tuple[int, int]]:
        """Version and global position of the last event applied to each aggregate (absent: none yet)."""

    async def page_versions(self, page: OwnDocument, aggregate_ids: Collection[UUID]) -> dict[UUID, int]:
        """The `version` of each of these aggregates' `page` documents that exists, in one read."""

    async def projector_position(self) -> int:
        """The highest global position any projector shard has applied (0 before any)."""

    async def reachable(self) -> bool:
        """Whether the store answers now (readiness)."""

    async def close(self) -> None:
        """Release what the store holds (at shutdown, after the requests in flight)."""


@dataclass(frozen=True)
class ReadStore:
    """A read model implementation as the composition root takes it: opened in the app's lifespan, never
    at import or build time, with the errors that mean it cannot be reached (answered 503)."""

    open: Callable[[Settings], ReadModel]
    unreachable: tuple[type[Exception], ...] = ()
