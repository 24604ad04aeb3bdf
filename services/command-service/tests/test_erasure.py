"""Erasing a guest's data over in-memory ports: the key goes, every booking of theirs records it, and what
was sealed under the key no longer opens; a later booking is sealed under a new key."""

from __future__ import annotations

from datetime import timedelta

import pytest
from command_builders import book_stay, register_hotel
from command_fakes import Store
from test_handlers import CLOCK, events_of, send

from innkeeper_contracts import CommandAccepted, EraseGuestData, GuestDataErased, StayBooked
from innkeeper_kit.personal import SealingError, open_sealed


async def _booked(store: Store, count: int) -> list[CommandAccepted]:
    hotel = register_hotel()
    assert hotel.hotel_id is not None
    await send(store, hotel)
    answers = []
    for _ in range(count):
        answer = await send(store, book_stay(hotel.hotel_id, CLOCK.now().date() + timedelta(days=5)))
        assert isinstance(answer, CommandAccepted)
        answers.append(answer)
    return answers


async def test_each_booking_of_the_guest_records_the_erasure_of_the_key() -> None:
    store = Store()
    first, second = await _booked(store, 2)
    key = store.guest_keys["g-1"]
    erased = await send(store, EraseGuestData(guest_id="g-1"))
    assert isinstance(erased, CommandAccepted)
    assert (erased.aggregate_id, erased.booking_id, erased.hotel_id) == (second.aggregate_id, None, None)
    for booking in (first, second):
        *_, last = events_of(store, booking.aggregate_id)
        assert isinstance(last, GuestDataErased)
        assert (last.guest_id, last.key_ids, last.erased_at) == ("g-1", [key.key_id], CLOCK.now())
    assert "g-1" not in store.guest_keys


async def test_a_booking_after_the_erasure_is_sealed_under_a_new_key() -> None:
    store = Store()
    [before] = await _booked(store, 1)
    assert isinstance(await send(store, EraseGuestData(guest_id="g-1")), CommandAccepted)
    [after] = await _booked(store, 1)
    old, new = (events_of(store, booking.aggregate_id)[0] for booking in (before, after))
    assert isinstance(old, StayBooked)
    assert isinstance(new, StayBooked)
    assert store.opened(new.guest.name) == "Ann"
    with pytest.raises(SealingError):  # the new key does not open what the old one sealed
        open_sealed(old.guest.name, store.guest_keys["g-1"].data_key)


async def test_a_guest_without_bookings_is_erased_without_an_event() -> None:
    store = Store()
    await _booked(store, 1)
    logged = len(store.events)
    erased = await send(store, EraseGuestData(guest_id="nobody"))
    assert isinstance(erased, CommandAccepted)
    assert erased.aggregate_id.int == 0
    assert len(store.events) == logged
