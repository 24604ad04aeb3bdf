"""Writes read documents exactly as the projector stores them (documents.py's storage convention), into
either read store the query service can run on: `Seed` is what a test asks of both.

`model.model_dump(mode="json")` plus `_id` (from ID_FIELDS; hotel nights `<hotel_id>:<night>`); in MongoDB
in `<base>_<generation>` collections, with the `{_id: "active", generation}` alias document.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID, uuid4

import httpx
import pytest
from pymongo.asynchronous.database import AsyncDatabase

from innkeeper_contracts import Contract, Money
from innkeeper_contracts.documents import (
    ACTIVE_GENERATION_ID,
    BOOKINGS,
    CARD_REVISIONS,
    CHECKPOINTS,
    GENERATIONS_COLLECTION,
    HOTEL_CARDS,
    HOTEL_DETAILS,
    HOTEL_NIGHTS,
    ID_FIELDS,
    MANAGEMENT_ALERTS,
    PROJECTOR_STATUS_COLLECTION,
    BookingDetail,
    HotelCard,
    HotelDetail,
    HotelNight,
    ManagementAlert,
    RoomNight,
    RoomTypeCard,
    RoomTypeDetail,
    collection_name,
)
from innkeeper_contracts.documents.models import BookingPageGuest
from query_service.store.memory import MemoryReadModel

Document = dict[str, Any]
ClientFactory = Callable[..., Awaitable[httpx.AsyncClient]]
"""Builds an in-process query app with settings overrides and returns a client on it."""
STORES = ["mongodb", "memory"]
"""The read stores the query app runs on in these tests (the `read_store` fixture's values)."""
MONGODB_ONLY = pytest.mark.parametrize("read_store", ["mongodb"], indirect=True)
"""For tests of what only the MongoDB store has: generations, indexes, several processes on one database."""
BASES: dict[type[Contract], str] = {
    HotelCard: HOTEL_CARDS,
    HotelDetail: HOTEL_DETAILS,
    BookingDetail: BOOKINGS,
    ManagementAlert: MANAGEMENT_ALERTS,
}


class Seed(Protocol):
    """Puts read documents, checkpoints and projector positions into a read store."""

    async def put(self, *models: Contract) -> None: ...
    async def put_night(self, night: HotelNight) -> None: ...
    async def put_document(self, base: str, document: Document) -> None: ...
    async def checkpoint(self, aggregate_id: UUID, version: int, global_position: int) -> None: ...
    async def projector_status(self, shard: int, position: int) -> None: ...


def stored(model: Contract) -> tuple[str, Document]:
    """The collection (base name) of a document model and the document as the projector stores it."""
    base = BASES[type(model)]
    document = model.model_dump(mode="json")
    document["_id"] = document[ID_FIELDS[base]]
    return base, document


def stored_night(night: HotelNight) -> Document:
    return {**night.model_dump(mode="json"), "_id": f"{night.hotel_id}:{night.night.isoformat()}"}


class ReadModelSeed:
    """Puts documents into one generation of the MongoDB read model, as the projector would."""

    def __init__(self, database: AsyncDatabase[Document], generation: str = "g1") -> None:
        self.db, self.generation = database, generation

    def collection(self, base: str) -> Any:
        return self.db[collection_name(base, self.generation)]

    async def activate(self) -> None:
        """Point the alias document at this generation."""
        alias = {"_id": ACTIVE_GENERATION_ID, "generation": self.generation}
        await self.db[GENERATIONS_COLLECTION].replace_one({"_id": ACTIVE_GENERATION_ID}, alias, upsert=True)

    async def put(self, *models: Contract) -> None:
        for model in models:
            await self.put_document(*stored(model))

    async def put_night(self, night: HotelNight) -> None:
        await self.put_document(HOTEL_NIGHTS, stored_night(night))

    async def put_document(self, base: str, document: Document) -> None:
        if base == HOTEL_CARDS:  # as the projector's store: the city's card revisions first, then `_rev`
            document = await self.raise_card_revision(document)
        await self.collection(base).replace_one({"_id": document["_id"]}, document, upsert=True)

    async def raise_card_revision(self, card: Document) -> Document:
        """The card with its next `_rev`, once its city's card revisions list that revision."""
        current = await self.collection(HOTEL_CARDS).find_one({"_id": card["_id"]}, {"_rev": 1})
        revision = (current or {}).get("_rev", 0) + 1
        raised = {"$max": {f"hotels.{card['_id']}": revision}}
        await self.collection(CARD_REVISIONS).update_one({"_id": card["city"]}, raised, upsert=True)
        return {**card, "_rev": revision}

    async def checkpoint(self, aggregate_id: UUID, version: int, global_position: int) -> None:
        document = {"_id": str(aggregate_id), "version": version, "global_position": global_position}
        await self.collection(CHECKPOINTS).replace_one({"_id": document["_id"]}, document, upsert=True)

    async def projector_status(self, shard: int, position: int) -> None:
        document = {"_id": f"shard-{shard}", "position": position, "applied_at": now().isoformat()}
        await self.db[PROJECTOR_STATUS_COLLECTION].replace_one(
            {"_id": document["_id"]}, document, upsert=True
        )


class MemorySeed:
    """Puts documents into the in-memory read model, as the projector would into MongoDB."""

    def __init__(self, memory: MemoryReadModel) -> None:
        self.memory = memory

    async def put(self, *models: Contract) -> None:
        for model in models:
            self.memory.put(*stored(model))

    async def put_night(self, night: HotelNight) -> None:
        self.memory.put(HOTEL_NIGHTS, stored_night(night))

    async def put_document(self, base: str, document: Document) -> None:
        self.memory.put(base, document)

    async def checkpoint(self, aggregate_id: UUID, version: int, global_position: int) -> None:
        self.memory.put_checkpoint(aggregate_id, version, global_position)

    async def projector_status(self, shard: int, position: int) -> None:
        self.memory.put_position(f"shard-{shard}", position)


def now() -> datetime:
    return datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def eur(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="EUR")


def hotel_card(
    *,
    city: str = "Lisbon",
    stars: int = 3,
    price_minor: int = 10_000,
    max_guests: int = 2,
    capacity: int = 5,
    full_nights: tuple[date, ...] = (),
    hotel_id: UUID | None = None,
    name: str = "Hotel",
) -> HotelCard:
    price = eur(str(Decimal(price_minor) / 100))
    room = RoomTypeCard(
        code="DBL",
        name="Double",
        capacity=capacity,
        max_guests=max_guests,
        nightly_rate=price,
        full_nights=list(full_nights),
    )
    return HotelCard(
        hotel_id=hotel_id or uuid4(),
        name=name,
        city=city,
        stars=stars,
        price_from=price,
        price_from_minor=price_minor,
        room_types=[room],
        version=1,
    )


def hotel_detail(hotel_id: UUID | None = None, rooms: dict[str, int] | None = None) -> HotelDetail:
    room_types = [
        RoomTypeDetail(code=code, name=code, capacity=capacity, max_guests=2, nightly_rate=eur("100.00"))
        for code, capacity in (rooms or {"DBL": 4, "SGL": 2}).items()
    ]
    return HotelDetail(
        hotel_id=hotel_id or uuid4(),
        name="Casa",
        city="Lisbon",
        stars=4,
        room_types=room_types,
        registered_at=now(),
        version=1,
    )


def hotel_night(hotel_id: UUID, night: date, booked: dict[str, tuple[int, int]]) -> HotelNight:
    """`booked` maps room type to (capacity, booked)."""
    rooms = [RoomNight(room_type=c, capacity=cap, booked=b, free=cap - b) for c, (cap, b) in booked.items()]
    return HotelNight(
        hotel_id=hotel_id,
        night=night,
        room_types=rooms,
        booked=sum(r.booked for r in rooms),
        capacity=sum(r.capacity for r in rooms),
    )


def booking(
    *,
    guest_id: str = "guest-1",
    check_in: date = date(2027, 3, 1),
    nights: int = 2,
    booking_id: UUID | None = None,
    status: str = "active",
    version: int = 1,
) -> BookingDetail:
    return BookingDetail.model_validate(
        {
            "booking_id": booking_id or uuid4(),
            "hotel_id": uuid4(),
            "hotel_name": "Casa",
            "city": "Lisbon",
            "room_type": "DBL",
            "guest": BookingPageGuest(guest_id=guest_id, name="Ana", email="ana@example.com"),
            "check_in": check_in,
            "check_out": check_in + timedelta(days=nights),
            "nights": nights,
            "guests": 2,
            "nightly_rate": eur("100.00"),
            "total_price": eur("100.00") * nights,
            "status": status,
            "booked_at": now(),
            "version": version,
        }
    )


def alert(raised_at: datetime, alert_id: UUID | None = None) -> ManagementAlert:
    return ManagementAlert(
        alert_id=alert_id or uuid4(),
        hotel_id=uuid4(),
        hotel_name="Casa",
        booking_id=uuid4(),
        kinds=["late_cancellation"],
        message="late cancellation",
        total_price=eur("900.00"),
        refund=eur("0.00"),
        raised_at=raised_at,
    )


async def wait_until_waiting(client: httpx.AsyncClient, base_url: str = "") -> None:
    """Until the service reports one request waiting for its consistency token (bounded, 20 s)."""
    for _ in range(400):
        metrics = (await client.get(f"{base_url}/metrics")).text
        if "innkeeper_query_consistency_waiting 1.0" in metrics:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("no request is waiting for its consistency token")
