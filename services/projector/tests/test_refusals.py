"""Events no retry can apply are refused at once: data the contracts reject, documents too large to store."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import bson
from projector_builders import HOTEL, Log, room, stay

from innkeeper_contracts import HotelRegistered, StayBooked
from innkeeper_contracts.documents import HOTEL_NIGHTS
from projector.planner import plan_batch
from projector.ports import Changes
from projector.projection.storable import STORE_FIELDS_BYTES, unstorable
from projector.store.memory import MemoryStore

G = "g1"
LIMIT = 6000
"""Small enough that a night with a few dozen bookings does not fit; every other document does."""


def hotel(log: Log) -> None:
    rooms = [room("DBL", 500, 100), room("STE", 2, 90)]
    log.add(HOTEL, HotelRegistered(hotel_id=HOTEL, name="Sea", city="Faro", stars=4, room_types=rooms))


def book(log: Log, night: date, nights: int = 1) -> uuid.UUID:
    booking = uuid.uuid4()
    log.add(booking, StayBooked(**stay(booking, "DBL", night, nights)))
    return booking


async def apply_in_batches(log: Log, size: int) -> tuple[MemoryStore, list[str]]:
    """Apply the log in batches of `size` as the live projector would (failed aggregates held back)."""
    store, refused, blocked = MemoryStore(), [], set[str]()
    for start in range(0, len(log.envelopes), size):
        plan = await plan_batch(
            store, G, log.envelopes[start : start + size], log, blocked, max_document_bytes=LIMIT
        )
        refused += [f.reason for f in plan.failed if f.kind == "refused"]
        blocked |= {str(f.envelope.aggregate_id) for f in plan.failed}
        await store.save(G, Changes(plan.view.changed, plan.revisions, plan.checkpoints))
    return store, refused


async def test_data_the_contracts_reject_is_refused_at_once_and_the_rest_applies() -> None:
    log = Log()
    hotel(log)
    good = book(log, date(2027, 3, 1))
    bad = log.add(uuid.uuid4(), StayBooked(**stay(uuid.uuid4(), "DBL", date(2027, 3, 2), 1)))
    bad = bad.model_copy(update={"data": {**bad.data, "guests": 0}})
    later = book(log, date(2027, 3, 3))
    envelopes = [*log.envelopes[:2], bad, log.envelopes[3]]
    plan = await plan_batch(MemoryStore(), G, envelopes, log)
    assert [(f.envelope, f.kind) for f in plan.failed] == [(bad, "refused")]
    assert plan.failed[0].reason.startswith("invalid event: StayBooked data:")
    assert "guests" in plan.failed[0].reason
    assert {str(e.aggregate_id) for e in plan.applied} == {str(HOTEL), str(good), str(later)}


async def test_an_event_whose_document_would_be_too_large_is_refused_and_its_night_left_as_it_was() -> None:
    log = Log()
    hotel(log)
    bookings = [book(log, date(2027, 3, 1)) for _ in range(150)]
    elsewhere = book(log, date(2027, 4, 1))
    plan = await plan_batch(MemoryStore(), G, log.envelopes, log, max_document_bytes=LIMIT)
    refused = [f for f in plan.failed if f.kind == "refused"]
    assert refused
    assert refused[0].reason.startswith("document too large: ")
    assert f"hotel_nights document {HOTEL}:2027-03-01" in refused[0].reason
    night = plan.view.get(HOTEL_NIGHTS, f"{HOTEL}:2027-03-01")
    assert night is not None
    assert len(bson.encode(night)) + STORE_FIELDS_BYTES <= LIMIT  # the night as the last booking that fit
    assert night["booked"] == 150 - len(refused)
    assert str(elsewhere) in {str(e.aggregate_id) for e in plan.applied}
    assert {str(f.envelope.aggregate_id) for f in refused} <= {str(b) for b in bookings}


async def test_what_is_refused_does_not_depend_on_how_the_events_are_batched() -> None:
    """Live batches and rebuild chunks cut the log differently; both must refuse the same events."""
    log = Log()
    hotel(log)
    for day in range(400):
        book(log, date(2027, 3, 1) + timedelta(days=day % 3), nights=1 + day % 2)
    whole, refused_whole = await apply_in_batches(log, len(log.envelopes))
    for size in (1, 37):
        batched, refused = await apply_in_batches(log, size)
        assert refused == refused_whole
        assert batched.docs == whole.docs
    assert refused_whole  # the case is exercised


def test_the_size_check_agrees_with_the_bson_size() -> None:
    worst = {"numbers": [0] * 3000}  # a list of small integers: the most BSON per byte of JSON
    cases: list[dict[str, Any]] = [worst, {"text": "x" * 5000}, {"n": 2**62}]
    cases.append({"nested": [{"a": [1, 2, {"b": "c"}]}] * 200})
    for document in cases:
        size = len(bson.encode(document)) + STORE_FIELDS_BYTES
        for limit in (size - 1, size, size + 1, 8 * size):
            assert (unstorable(document, limit) is None) == (size <= limit), (document, limit)


def test_a_document_mongodb_cannot_encode_is_refused() -> None:
    assert (
        unstorable({"version": 2**70}, 1 << 24) == "not storable: MongoDB can only handle up to 8-byte ints"
    )
