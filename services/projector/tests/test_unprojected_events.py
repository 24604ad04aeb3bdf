"""Events for the outside world (a booking's confirmation, a hotel's management contact) are applied
without a document of their own: their aggregate's checkpoint advances and nothing is parked, and the
management contact stays out of the read model."""

from __future__ import annotations

import json
import uuid
from datetime import date

from projector_builders import HOTEL, Log, money, room, stay

from innkeeper_contracts import GuestNotificationRequested, HotelRegistered, ManagementContactSet, StayBooked
from innkeeper_contracts.documents import BOOKINGS, HOTEL_CARDS, HOTEL_DETAILS
from projector.planner import plan_batch
from projector.ports import Changes
from projector.store.memory import MemoryStore

G = "g1"
CONTACT = "desk@sea.example"


def story() -> tuple[Log, uuid.UUID]:
    log, booking = Log(), uuid.uuid4()
    registered = HotelRegistered(
        hotel_id=HOTEL,
        name="Sea",
        city="Faro",
        stars=3,
        room_types=[room("DBL", 2, 100)],
        management_email="first@sea.example",
    )
    log.add(HOTEL, registered)
    log.add(HOTEL, ManagementContactSet(hotel_id=HOTEL, email=CONTACT, previous_email="first@sea.example"))
    check_in = date(2027, 3, 1)
    log.add(booking, StayBooked(**stay(booking, "DBL", check_in, 2)))
    confirmation = GuestNotificationRequested(
        booking_id=booking,
        hotel_id=HOTEL,
        guest_id="g-1",
        email="ann@example.com",
        template="booking_confirmed",
        guest_name="Ann",
        hotel_name="Sea",
        check_in=check_in,
        check_out=date(2027, 3, 3),
        total_price=money(200),
    )
    log.add(booking, confirmation)
    return log, booking


async def test_a_confirmation_and_a_management_contact_advance_their_checkpoints() -> None:
    log, booking = story()
    store = MemoryStore()
    plan = await plan_batch(store, G, log.envelopes, log)
    assert plan.failed == []
    await store.save(G, Changes(plan.view.changed, plan.revisions, plan.checkpoints))
    checkpoints = store.checkpoint_docs[G]
    assert checkpoints[str(HOTEL)].version == 2
    assert checkpoints[str(booking)].version == 2
    assert store.docs[G][(BOOKINGS, str(booking))]["version"] == 2
    for base in (HOTEL_CARDS, HOTEL_DETAILS):
        assert store.docs[G][(base, str(HOTEL))]["version"] == 2


async def test_the_management_contact_reaches_no_read_document() -> None:
    log, _ = story()
    store = MemoryStore()
    plan = await plan_batch(store, G, log.envelopes, log)
    await store.save(G, Changes(plan.view.changed, plan.revisions, plan.checkpoints))
    written = json.dumps(list(store.docs[G].values()), default=str)
    assert "sea.example" not in written
    assert "management_email" not in written


async def test_applying_them_again_changes_nothing() -> None:
    log, _ = story()
    once, twice = MemoryStore(), MemoryStore()
    for store, batches in ((once, [log.envelopes]), (twice, [log.envelopes, log.envelopes[1:]])):
        for batch in batches:
            plan = await plan_batch(store, G, batch, log)
            await store.save(G, Changes(plan.view.changed, plan.revisions, plan.checkpoints))
    assert twice.docs == once.docs
    assert twice.checkpoint_docs == once.checkpoint_docs
