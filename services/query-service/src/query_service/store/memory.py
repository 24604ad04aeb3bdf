"""The read model in memory: one generation of documents in dicts, answering as the MongoDB store does.
For tests of the API without a database, and as the measure of what another store must answer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from datetime import date
from uuid import UUID

from innkeeper_contracts.documents import (
    BOOKINGS,
    HOTEL_CARDS,
    HOTEL_DETAILS,
    HOTEL_NIGHTS,
    MANAGEMENT_ALERTS,
    HotelNight,
)
from innkeeper_contracts.stay import night_id
from query_service.cursor import Position
from query_service.models import load
from query_service.queries import ALERTS_ORDER, GUEST_BOOKINGS_ORDER, HotelScope, HotelSearch, Order
from query_service.read_model import OwnDocument, Page, ReadStore, StoredDocument

from .listing import hotel_matcher, page_of


class MemoryReadModel:
    """`ReadModel` over documents put in as the projector stores them (contract JSON plus `_id`)."""

    def __init__(self) -> None:
        self.documents: defaultdict[str, dict[str, StoredDocument]] = defaultdict(dict)
        self._checkpoints: dict[UUID, tuple[int, int]] = {}
        self._positions: dict[str, int] = {}

    def store(self) -> ReadStore:
        """This model as the composition root's store (one model, however often an app opens it)."""
        return ReadStore(lambda _settings: self)

    def put(self, base: str, document: StoredDocument) -> None:
        """Store (or replace) `document` in collection `base`, by its `_id`."""
        self.documents[base][str(document["_id"])] = dict(document)

    def put_checkpoint(self, aggregate_id: UUID, version: int, global_position: int) -> None:
        self._checkpoints[aggregate_id] = (version, global_position)

    def put_position(self, shard: str, position: int) -> None:
        self._positions[shard] = position

    async def hotel_detail(self, hotel_id: UUID) -> StoredDocument | None:
        return self.documents[HOTEL_DETAILS].get(str(hotel_id))

    async def search_hotels(self, search: HotelSearch, after: Position | None, limit: int) -> Page:
        return self._page(HOTEL_CARDS, hotel_matcher(search), search.order, after, limit)

    async def nights(self, hotel_id: UUID, check_in: date, check_out: date) -> list[HotelNight]:
        first, end = night_id(str(hotel_id), check_in), night_id(str(hotel_id), check_out)
        stored = self.documents[HOTEL_NIGHTS]
        return [load(HotelNight, stored[id_]) for id_ in sorted(stored) if first <= id_ < end]

    async def booking(self, booking_id: UUID) -> StoredDocument | None:
        return self.documents[BOOKINGS].get(str(booking_id))

    async def guest_bookings(
        self, guest_id: str, hotels: HotelScope, after: Position | None, limit: int
    ) -> Page:
        def keep(booking: StoredDocument) -> bool:
            return booking["guest"]["guest_id"] == guest_id and hotels.admits(booking["hotel_id"])

        return self._page(BOOKINGS, keep, GUEST_BOOKINGS_ORDER, after, limit)

    async def alerts(self, hotels: HotelScope, after: Position | None, limit: int) -> Page:
        return self._page(
            MANAGEMENT_ALERTS, lambda a: hotels.admits(a["hotel_id"]), ALERTS_ORDER, after, limit
        )

    async def checkpoints(self, aggregate_ids: Collection[UUID]) -> dict[UUID, tuple[int, int]]:
        return {id_: self._checkpoints[id_] for id_ in aggregate_ids if id_ in self._checkpoints}

    async def page_versions(self, page: OwnDocument, aggregate_ids: Collection[UUID]) -> dict[UUID, int]:
        stored = self.documents[BOOKINGS if page == "booking" else HOTEL_DETAILS]
        found = {id_: stored.get(str(id_)) for id_ in aggregate_ids}
        return {id_: int(document["version"]) for id_, document in found.items() if document is not None}

    async def projector_position(self) -> int:
        return max(self._positions.values(), default=0)

    async def reachable(self) -> bool:
        return True

    async def close(self) -> None:
        """Nothing to release: the documents stay for the next app that opens this model."""

    def _page(
        self,
        base: str,
        keep: Callable[[StoredDocument], bool],
        order: Order,
        after: Position | None,
        limit: int,
    ) -> Page:
        return page_of(self.documents[base].values(), keep, order, after, limit)
