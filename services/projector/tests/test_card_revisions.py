"""The per-city card revisions a batch raises: one `$max` per city, each card at its revision to be."""

from __future__ import annotations

from innkeeper_contracts.documents import BOOKINGS, HOTEL_CARDS, HOTEL_NIGHTS
from projector.ports import Changes
from projector.store.mongo.card_revisions import card_revision_operations


def test_each_city_written_gets_one_raise_with_the_revisions_its_cards_will_have() -> None:
    changes = Changes(
        {
            (HOTEL_CARDS, "h1"): {"_id": "h1", "city": "Porto"},  # replaced: read at 4
            (HOTEL_CARDS, "h2"): {"_id": "h2", "city": "Faro"},  # created
            (HOTEL_CARDS, "h3"): {"_id": "h3", "city": "Porto"},  # replaced: read at 1
            (HOTEL_NIGHTS, "h1:2027-01-01"): {"_id": "h1:2027-01-01"},
            (BOOKINGS, "b1"): None,
        },
        {(HOTEL_CARDS, "h1"): 4, (HOTEL_CARDS, "h3"): 1, (BOOKINGS, "b1"): 2},
        {},
    )
    operations = card_revision_operations(changes)
    assert [(op._filter, op._doc, op._upsert) for op in operations] == [
        ({"_id": "Faro"}, {"$max": {"hotels.h2": 1}}, True),
        ({"_id": "Porto"}, {"$max": {"hotels.h1": 5, "hotels.h3": 2}}, True),
    ]


def test_a_batch_that_writes_no_card_raises_nothing() -> None:
    night = (HOTEL_NIGHTS, "h1:2027-01-01")
    assert card_revision_operations(Changes({night: {"_id": night[1]}}, {night: 1}, {})) == []
