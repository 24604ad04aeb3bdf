"""A batch cut off part way through its writes (a broker restart, a write conflict) and delivered again
ends in the documents a rebuild writes: the booking page is written before the card and the nights'
step may fail beside it, so a redelivered StayBooked must not take a later booking page as proof that
the rest of its documents are written."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from projector_builders import HOTEL, Log, money, room, stay

from innkeeper_contracts import (
    BookingCancelled,
    EventEnvelope,
    GuestNotificationRequested,
    HotelRegistered,
    StayBooked,
)
from innkeeper_contracts.documents import BOOKINGS, HOTEL_CARDS, HOTEL_DETAILS, HOTEL_NIGHTS
from projector.planner import plan_batch
from projector.ports import Changes
from projector.store.memory import MemoryStore

G = "g1"
NIGHT = date(2027, 3, 1)
BASES = [BOOKINGS, HOTEL_CARDS, HOTEL_DETAILS, HOTEL_NIGHTS]


def booking_events(log: Log, booked_at: datetime, cancelled: bool = False) -> list[EventEnvelope]:
    """A BookStay's two events (and, cancelled, a CancelBooking's two)."""
    booking = uuid.uuid4()
    details = stay(booking, "DBL", NIGHT, 2, booked_at=booked_at)
    events = [log.add(booking, StayBooked(**details))]
    confirm = {"guest_id": "g-1", "email": "ann@example.com", "template": "booking_confirmed"}
    events.append(log.add(booking, GuestNotificationRequested(booking_id=booking, hotel_id=HOTEL, **confirm)))
    if cancelled:
        cancel = BookingCancelled(booking_id=booking, hotel_id=HOTEL, room_type="DBL", guest_id="g-1",
                                  check_in=NIGHT, check_out=date(2027, 3, 3), reason="r",
                                  cancelled_at=datetime(2027, 2, 1, tzinfo=UTC), refund_policy="full",
                                  refund=money(200))  # fmt: skip
        events.append(log.add(booking, cancel))
    return events


async def applied(store: MemoryStore, log: Log, envelopes: list[EventEnvelope]) -> None:
    plan = await plan_batch(store, G, envelopes, log)
    assert not plan.failed
    await store.save(G, plan.changes())


async def cut_off(store: MemoryStore, log: Log, envelopes: list[EventEnvelope], written: set[str]) -> None:
    """Only the documents of the `written` collections are saved: no card, no checkpoint."""
    changes = (await plan_batch(store, G, envelopes, log)).changes()
    kept = {key: doc for key, doc in changes.documents.items() if key[0] in written}
    await store.save(G, Changes(kept, changes.revisions, {}))


async def contents(store: MemoryStore) -> dict[str, object]:
    return {base: await store.contents(G, base) for base in BASES}


@pytest.mark.parametrize("cancelled", [False, True])
@pytest.mark.parametrize("written", [{BOOKINGS, HOTEL_NIGHTS}, {BOOKINGS}])
async def test_a_batch_cut_off_after_the_booking_page_and_delivered_again_ends_as_a_rebuild(
    written: set[str], cancelled: bool
) -> None:
    log = Log()
    registered = HotelRegistered(
        hotel_id=HOTEL, name="Sea", city="Faro", stars=4, room_types=[room("DBL", 3, 100)]
    )
    hotel = [log.add(HOTEL, registered)]
    earlier = booking_events(log, datetime(2027, 1, 2, 9, tzinfo=UTC))
    later = booking_events(log, datetime(2027, 1, 2, 10, tzinfo=UTC), cancelled)
    live, rebuilt = MemoryStore(), MemoryStore()
    await applied(rebuilt, log, hotel + earlier + later)

    await applied(live, log, hotel + earlier)
    await cut_off(live, log, later, written)
    await applied(live, log, later)  # redelivered

    assert await contents(live) == await contents(rebuilt)
    card = (await live.contents(G, HOTEL_CARDS))[str(HOTEL)]
    assert card["last_booked_at"] == "2027-01-02T10:00:00Z"
