"""Where read documents are stored (MongoDB): the collections, their generations, the `_id` convention.

A document is `model.model_dump(mode="json")` plus `_id` (the value of the field named in `ID_FIELDS`).
Dates are ISO strings, so they sort as text; money is a string amount, so sortable prices carry an
integer in minor units beside them.

Generations: every collection exists per read-model generation (`<base>_<generation>`). The document
`{_id: "active", generation: "<g>"}` in `GENERATIONS_COLLECTION` names the one readers use; a rebuild
fills a new generation beside it and then switches that one document.
"""

from __future__ import annotations

GENERATIONS_COLLECTION = "read_model_generations"
ACTIVE_GENERATION_ID = "active"
PROJECTOR_STATUS_COLLECTION = "projector_status"
"""Not generational: one document per shard, `{_id: "shard-<n>", position, applied_at, ...}`."""

HOTEL_CARDS = "hotel_cards"
HOTEL_DETAILS = "hotel_details"
HOTEL_NIGHTS = "hotel_nights"
BOOKINGS = "bookings"
MANAGEMENT_ALERTS = "management_alerts"
CHECKPOINTS = "checkpoints"
"""Per aggregate: `{_id: "<aggregate id>", version, global_position}`, the last event applied."""
REVISION = "_rev"
"""In every read document the projector's store writes: its revision, raised by each write (writes
compare-and-swap on it); what `CARD_REVISIONS` lists per card. Storage only: never in an answer."""
CARD_REVISIONS = "hotel_card_revisions"
"""Per city: `{_id: "<city>", hotels: {"<hotel id>": <the card's `_rev`>}}`, raised (`$max`) by the
projector's store before it writes a card, so a card never changes without its city's entry changing
first. The query service keeps a city's cards in memory and checks them with this one small read per
search (instead of a query over the cards: ~5x less of the store's CPU). Bookkeeping, like `_rev`: not a
read document, not compared by `verify` (revisions count writes, which differ between batchings)."""


def collection_name(base: str, generation: str) -> str:
    """Physical name of a read collection in one generation, e.g. `bookings_g3`."""
    return f"{base}_{generation}"


ID_FIELDS: dict[str, str] = {
    HOTEL_CARDS: "hotel_id",
    HOTEL_DETAILS: "hotel_id",
    BOOKINGS: "booking_id",
    MANAGEMENT_ALERTS: "alert_id",
}
"""Collection → field whose value is the `_id`. Hotel nights use `<hotel_id>:<night>`."""

IndexKeys = list[tuple[str, int]]
"""An index's keys in order: (field, 1 ascending | -1 descending)."""

INDEXES: dict[str, list[IndexKeys]] = {
    HOTEL_CARDS: [
        [("city", 1), ("price_from_minor", 1), ("_id", 1)],
        [("city", 1), ("stars", 1), ("_id", 1)],
        [("price_from_minor", 1), ("_id", 1)],
        [("stars", 1), ("_id", 1)],
    ],
    BOOKINGS: [[("guest.guest_id", 1), ("check_in", 1), ("_id", 1)]],
    MANAGEMENT_ALERTS: [
        [("raised_at", -1), ("_id", -1)],
        [("hotel_id", 1), ("raised_at", -1), ("_id", -1)],  # a staff member's feed
    ],
    HOTEL_NIGHTS: [[("hotel_id", 1), ("night", 1)]],
}
"""The one index list, per collection (base name): every read is one indexed lookup, and the projector
builds these before a generation is filled, so a rebuilt one is indexed before readers switch to it.
Lookups by `_id` (details, bookings, checkpoints) and `_id` ranges need no more; descending reads walk
ascending indexes backwards."""
