"""Hotel events → the hotel card and the hotel page (each guarded by the hotel version)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from innkeeper_contracts import (
    EventEnvelope,
    HotelEvent,
    HotelRegistered,
    ManagementContactSet,
    Money,
    NightlyRateSet,
    RoomCapacityChanged,
)
from innkeeper_contracts.documents import (
    HOTEL_CARDS,
    HOTEL_DETAILS,
    HotelCard,
    HotelDetail,
    RoomTypeCard,
    RoomTypeDetail,
)

from .declaration import Handles, hotel_documents
from .errors import ProjectionError
from .nights import resync_all_nights
from .view import Doc, ReadView


def applied(doc: Doc | None, version: int) -> bool:
    """True when the document already reflects this version of its aggregate."""
    return doc is not None and doc["version"] >= version


def on_hotel_registered(view: ReadView, envelope: EventEnvelope, event: HotelRegistered) -> None:
    hotel_id, version = str(event.hotel_id), envelope.aggregate_version
    if not applied(view.get(HOTEL_CARDS, hotel_id), version):
        rooms = [RoomTypeCard(**room.model_dump(), full_nights=[]) for room in event.room_types]
        cheapest = min((room.nightly_rate for room in event.room_types), key=lambda m: m.amount)
        card = HotelCard(
            hotel_id=event.hotel_id,
            name=event.name,
            city=event.city,
            stars=event.stars,
            price_from=cheapest,
            price_from_minor=minor_units(cheapest),
            room_types=rooms,
            version=version,
        )
        view.put(HOTEL_CARDS, hotel_id, with_id(hotel_id, card.model_dump(mode="json")))
    if not applied(view.get(HOTEL_DETAILS, hotel_id), version):
        detail = HotelDetail(
            hotel_id=event.hotel_id,
            name=event.name,
            city=event.city,
            stars=event.stars,
            room_types=[RoomTypeDetail(**room.model_dump()) for room in event.room_types],
            registered_at=envelope.occurred_at,
            version=version,
        )
        view.put(HOTEL_DETAILS, hotel_id, with_id(hotel_id, detail.model_dump(mode="json")))


def on_capacity_changed(view: ReadView, envelope: EventEnvelope, event: RoomCapacityChanged) -> None:
    _update_room(view, envelope, event.room_type, {"capacity": event.capacity})
    resync_all_nights(view, str(event.hotel_id), envelope.occurred_at.date())


def on_rate_set(view: ReadView, envelope: EventEnvelope, event: NightlyRateSet) -> None:
    _update_room(
        view, envelope, event.room_type, {"nightly_rate": event.nightly_rate.model_dump(mode="json")}
    )


def advance_version(view: ReadView, envelope: EventEnvelope, event: HotelEvent) -> None:
    """A change no screen shows (the management contact, which stays out of the read model): the card
    and the page now reflect this version of the hotel, so a later event's version check holds (and
    the pages' versions count every event of the hotel, as their readers expect)."""
    hotel_id, version = str(event.hotel_id), envelope.aggregate_version
    for base in (HOTEL_CARDS, HOTEL_DETAILS):
        doc = view.get(base, hotel_id)
        if doc is None:
            raise ProjectionError(f"hotel {hotel_id} is not in {base}")
        if not applied(doc, version):
            view.put(base, hotel_id, {**doc, "version": version})


def _update_room(view: ReadView, envelope: EventEnvelope, code: str, changes: dict[str, Any]) -> None:
    hotel_id, version = str(envelope.aggregate_id), envelope.aggregate_version
    for base in (HOTEL_CARDS, HOTEL_DETAILS):
        doc = view.get(base, hotel_id)
        if doc is None:
            raise ProjectionError(f"hotel {hotel_id} is not in {base}")
        if applied(doc, version):
            continue
        if code not in {room["code"] for room in doc["room_types"]}:
            raise ProjectionError(f"hotel {hotel_id} has no room type {code!r}")
        rooms = [{**room, **changes} if room["code"] == code else room for room in doc["room_types"]]
        updated = {**doc, "room_types": rooms, "version": version}
        if base == HOTEL_CARDS:
            updated |= price_from(rooms)
        view.put(base, hotel_id, updated)


def price_from(rooms: list[Doc]) -> Doc:
    cheapest = min((Money.model_validate(room["nightly_rate"]) for room in rooms), key=lambda m: m.amount)
    return {"price_from": cheapest.model_dump(mode="json"), "price_from_minor": minor_units(cheapest)}


def minor_units(money: Money) -> int:
    return int(money.amount * Decimal(100))


def with_id(doc_id: str, document: Doc) -> Doc:
    return {"_id": doc_id, **document}


HANDLES: dict[type[HotelEvent], Handles] = {
    HotelRegistered: Handles(on_hotel_registered, hotel_documents),
    RoomCapacityChanged: Handles(on_capacity_changed, hotel_documents, all_nights_of_hotel=True),
    NightlyRateSet: Handles(on_rate_set, hotel_documents),
    ManagementContactSet: Handles(advance_version, hotel_documents),
}
"""The hotel events this module projects."""
