"""The read model (MongoDB, read with pymongo) against the event log: every booking in its last status,
every hotel with its latest rates and capacities, every night's booked count, every aggregate's checkpoint
at its last version. Document shapes: docs/schemas (BookingDetail, HotelDetail, HotelNight) and the
storage convention of the read store (`<collection>_<generation>`, `_id` = the document's id, the active
generation in `read_model_generations {_id: "active"}`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pymongo import AsyncMongoClient

from conformance.checks_inventory import Inventory
from conformance.checks_log import LogEvent
from conformance.checks_verdict import Verdict, first

Doc = dict[str, Any]


@dataclass
class Expected:
    bookings: dict[str, str] = field(default_factory=dict)  # booking id -> "active" | "cancelled"
    rooms: dict[str, dict[str, tuple[int, Decimal]]] = field(
        default_factory=dict
    )  # hotel -> code -> cap, rate
    versions: dict[str, int] = field(default_factory=dict)  # aggregate id -> last version in the log


def expected_from(events: Iterable[LogEvent]) -> Expected:
    expected = Expected()
    for event in events:
        data = event.data
        expected.versions[event.aggregate_id] = max(
            event.aggregate_version, expected.versions.get(event.aggregate_id, 0)
        )
        if event.event_type == "StayBooked":
            expected.bookings[data["booking_id"]] = "active"
        elif event.event_type == "BookingCancelled":
            expected.bookings[data["booking_id"]] = "cancelled"
        elif event.event_type == "HotelRegistered":
            expected.rooms[data["hotel_id"]] = {
                room["code"]: (int(room["capacity"]), Decimal(room["nightly_rate"]["amount"]))
                for room in data["room_types"]
            }
        elif event.event_type in ("RoomCapacityChanged", "NightlyRateSet"):
            rooms = expected.rooms.setdefault(data["hotel_id"], {})
            capacity, rate = rooms.get(data["room_type"], (0, Decimal(0)))
            if event.event_type == "RoomCapacityChanged":
                capacity = int(data["capacity"])
            else:
                rate = Decimal(data["nightly_rate"]["amount"])
            rooms[data["room_type"]] = (capacity, rate)
    return expected


@dataclass
class ReadModel:
    bookings: dict[str, Doc]
    hotels: dict[str, Doc]
    nights: dict[str, Doc]
    checkpoints: dict[str, Doc]
    held: set[str]  # aggregates with an event in the parking lot (parked or retrying)
    parked: int
    generation: str


async def read_model(url: str, database_name: str) -> ReadModel:
    client: AsyncMongoClient[Doc] = AsyncMongoClient(url, serverSelectionTimeoutMS=10_000)
    try:
        database = client[database_name]
        alias = await database["read_model_generations"].find_one({"_id": "active"}) or {}
        generation = str(alias.get("generation", "g1"))

        async def whole(base: str) -> dict[str, Doc]:
            return {str(doc["_id"]): doc async for doc in database[f"{base}_{generation}"].find({})}

        lot = await database["parked_events"].find({"status": {"$in": ["parked", "retry"]}}).to_list()
        return ReadModel(
            bookings=await whole("bookings"),
            hotels=await whole("hotel_details"),
            nights=await whole("hotel_nights"),
            checkpoints=await whole("checkpoints"),
            held={str(entry["aggregate_id"]) for entry in lot if entry.get("aggregate_id")},
            parked=sum(1 for entry in lot if entry.get("status") == "parked"),
            generation=generation,
        )
    finally:
        await client.close()


def booking_faults(expected: Expected, model: ReadModel) -> list[str]:
    faults = []
    for booking_id, status in sorted(expected.bookings.items()):
        doc = model.bookings.get(booking_id)
        if doc is None or doc.get("status") != status:
            faults.append(f"booking {booking_id[:8]} {doc.get('status') if doc else 'missing'} != {status}")
    return faults


def hotel_faults(expected: Expected, model: ReadModel) -> list[str]:
    faults = []
    for hotel_id, rooms in sorted(expected.rooms.items()):
        doc = model.hotels.get(hotel_id)
        shown = {room["code"]: room for room in (doc or {}).get("room_types", [])}
        for code, (capacity, rate) in sorted(rooms.items()):
            room = shown.get(code)
            if room is None or (room.get("capacity"), Decimal(room["nightly_rate"]["amount"])) != (
                capacity,
                rate,
            ):
                faults.append(f"hotel {hotel_id[:8]} {code} != {capacity} at {rate}")
    return faults


def night_faults(inventory: Inventory, model: ReadModel) -> list[str]:
    """Each night's booked count per room type; a night without a document has nothing booked."""
    shown: dict[tuple[str, str, str], int] = {}
    for doc in model.nights.values():
        for room in doc.get("room_types", []):
            shown[(str(doc["hotel_id"]), str(room["room_type"]), str(doc["night"]))] = int(room["booked"])
    computed = {(h, rt, night.isoformat()): booked for (h, rt, night), booked in inventory.booked.items()}
    return [
        f"night {cell[0][:8]} {cell[1]} {cell[2]} {shown.get(cell, 0)} != {computed.get(cell, 0)}"
        for cell in sorted(computed.keys() | shown.keys())
        if shown.get(cell, 0) != computed.get(cell, 0)
    ]


def read_model_has_effects(expected: Expected, inventory: Inventory, model: ReadModel) -> Verdict:
    bookings, hotels = booking_faults(expected, model), hotel_faults(expected, model)
    nights = night_faults(inventory, model)
    detail = (
        f"{len(expected.bookings):,} bookings ({len(bookings):,} wrong), {len(expected.rooms):,} hotels "
        f"({len(hotels):,} stale), {len(nights):,} wrong night counts in generation {model.generation}"
    )
    return Verdict(
        "read-model-has-effects",
        not (bookings or hotels or nights),
        detail + first(bookings + hotels + nights),
    )


def checkpoint_faults(expected: Expected, model: ReadModel) -> list[str]:
    """Aggregates whose checkpoint is not at their last version in the log (parked ones excepted)."""
    faults = []
    for aggregate_id, version in sorted(expected.versions.items()):
        if aggregate_id in model.held:
            continue
        have = int((model.checkpoints.get(aggregate_id) or {}).get("version", 0))
        if have != version:
            faults.append(f"{aggregate_id[:8]} v{have} != v{version}")
    return faults
