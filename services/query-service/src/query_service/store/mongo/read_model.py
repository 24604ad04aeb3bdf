"""The read model on MongoDB: each screen's question is one indexed query on the active generation."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any
from uuid import UUID

import structlog
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from innkeeper_contracts.documents import HotelNight
from innkeeper_contracts.documents import storage as stored
from innkeeper_contracts.stay import night_id
from query_service.caches import TtlCache
from query_service.cursor import Position
from query_service.models import load
from query_service.queries import ALERTS_ORDER, GUEST_BOOKINGS_ORDER, HotelScope, HotelSearch, Order
from query_service.read_model import OwnDocument, Page, StoredDocument
from query_service.store.listing import hotel_matcher, page_of

from .city_cards import CityCards
from .filters import Filter, hotel_filter, in_scope, sort, with_position
from .generations import ActiveGeneration

log = structlog.get_logger()
PAGES: dict[OwnDocument, str] = {"booking": stored.BOOKINGS, "hotel": stored.HOTEL_DETAILS}
"""The collection of each page that carries its aggregate's version."""


class MongoReadModel:
    """`ReadModel` on one database: documents of the active generation, progress from the shards' status."""

    def __init__(
        self,
        client: AsyncMongoClient[dict[str, Any]],
        database: str,
        generation_cache_seconds: float,
        status_cache_seconds: float,
        ensure_indexes: bool = True,
    ) -> None:
        self._client, self._db = client, client[database]
        self._active = ActiveGeneration(self._db, generation_cache_seconds, ensure_indexes)
        self._position = TtlCache(status_cache_seconds, self._load_position)
        self._cities = CityCards()

    async def hotel_detail(self, hotel_id: UUID) -> StoredDocument | None:
        return await self._by_id(stored.HOTEL_DETAILS, str(hotel_id))

    async def search_hotels(self, search: HotelSearch, after: Position | None, limit: int) -> Page:
        if search.city is not None:  # the screen's usual search: from the city's cards kept here
            cards = await self._active.collection(stored.HOTEL_CARDS)
            revisions = await self._active.collection(stored.CARD_REVISIONS)
            if cards is None or revisions is None:
                return Page([], None)
            found = await self._cities.cards(cards, revisions, search.city)
            if found is not None:
                return page_of(found, hotel_matcher(search), search.order, after, limit)
        return await self._page(stored.HOTEL_CARDS, hotel_filter(search), search.order, after, limit)

    async def nights(self, hotel_id: UUID, check_in: date, check_out: date) -> list[HotelNight]:
        collection = await self._active.collection(stored.HOTEL_NIGHTS)
        if collection is None:
            return []
        hotel = str(hotel_id)
        query = {"_id": {"$gte": night_id(hotel, check_in), "$lt": night_id(hotel, check_out)}}
        return [load(HotelNight, night) for night in await collection.find(query).sort("_id").to_list()]

    async def booking(self, booking_id: UUID) -> StoredDocument | None:
        return await self._by_id(stored.BOOKINGS, str(booking_id))

    async def guest_bookings(
        self, guest_id: str, hotels: HotelScope, after: Position | None, limit: int
    ) -> Page:
        query = {"guest.guest_id": guest_id, **in_scope(hotels)}
        return await self._page(stored.BOOKINGS, query, GUEST_BOOKINGS_ORDER, after, limit)

    async def alerts(self, hotels: HotelScope, after: Position | None, limit: int) -> Page:
        return await self._page(stored.MANAGEMENT_ALERTS, in_scope(hotels), ALERTS_ORDER, after, limit)

    async def checkpoints(self, aggregate_ids: Collection[UUID]) -> dict[UUID, tuple[int, int]]:
        collection = await self._active.collection(stored.CHECKPOINTS)
        if collection is None:
            return {}
        query = {"_id": {"$in": [str(aggregate_id) for aggregate_id in aggregate_ids]}}
        rows = collection.find(query, {"version": 1, "global_position": 1})
        return {UUID(row["_id"]): (int(row["version"]), int(row["global_position"])) async for row in rows}

    async def page_versions(self, page: OwnDocument, aggregate_ids: Collection[UUID]) -> dict[UUID, int]:
        collection = await self._active.collection(PAGES[page])
        if collection is None:
            return {}
        query = {"_id": {"$in": [str(aggregate_id) for aggregate_id in aggregate_ids]}}
        return {UUID(row["_id"]): int(row["version"]) async for row in collection.find(query, {"version": 1})}

    async def projector_position(self) -> int:
        return await self._position.get()

    async def reachable(self) -> bool:
        try:
            await self._db.command("ping")
        except PyMongoError as error:
            log.warning("not ready", error=repr(error))
            return False
        return True

    async def close(self) -> None:
        await self._active.close()
        await self._client.close()

    async def _by_id(self, base: str, id_: str) -> StoredDocument | None:
        collection = await self._active.collection(base)
        return None if collection is None else await collection.find_one({"_id": id_})

    async def _page(self, base: str, query: Filter, order: Order, after: Position | None, limit: int) -> Page:
        collection = await self._active.collection(base)
        if collection is None:
            return Page([], None)
        cursor = collection.find(with_position(query, order, after)).sort(sort(order)).limit(limit + 1)
        return Page.of(await cursor.to_list(), order, limit)

    async def _load_position(self) -> int:
        shards = self._db[stored.PROJECTOR_STATUS_COLLECTION].find({}, {"position": 1})
        positions = [int(shard.get("position") or 0) async for shard in shards]
        return max(positions, default=0)
